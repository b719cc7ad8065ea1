import { BlockList, isIP } from 'node:net';
import { describeSpecial, specialRangeOf } from './special-addresses.ts';

/**
 * The special-purpose networks SIP trunks and devices may still point at
 * (PCONN_SIP_ALLOW_DESTINATIONS; its default, in src/config-settings.ts, is the private
 * networks): the CIDR blocks as written, and a matcher per family.
 */
export interface NetworkAllowList {
  cidrs: readonly string[];
  v4: BlockList;
  v6: BlockList;
}

/**
 * Parses a comma-separated CIDR list (`none`: an empty one). Returns the reason instead when an
 * entry is no CIDR block, so the caller can name its setting.
 */
export function parseNetworkAllowList(text: string): NetworkAllowList | { error: string } {
  const list = { v4: new BlockList(), v6: new BlockList() };
  if (text.trim().toLowerCase() === 'none') return { ...list, cidrs: [] };
  const cidrs: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const [network = '', prefixText, extra] = entry.split('/');
    const family = isIP(network);
    const max = family === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
      return { error: `'${entry}' is not a CIDR block (e.g. 10.0.0.0/8, fc00::/7).` };
    (family === 4 ? list.v4 : list.v6).addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
    cidrs.push(entry);
  }
  return { ...list, cidrs };
}

/** The host of a `sip:`/`sips:` URI (brackets removed from an IPv6 literal), or undefined. */
export function sipUriHost(uri: string): string | undefined {
  const match = /^sips?:(?:[^@]*@)?(\[[^\]]*\]|[^:;?]*)/i.exec(uri);
  const host = match?.[1]?.replace(/^\[|\]$/g, '');
  return host === undefined || host === '' ? undefined : host.toLowerCase().replace(/\.+$/, '');
}

// Names that always mean this machine (RFC 6761 §6.3; the Debian /etc/hosts IPv6 names).
const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/**
 * Why a SIP URI may not be dialled or registered to, as a sentence, or undefined when it may.
 * An IP literal is refused when it lies in a special-purpose block (the registries webhook
 * destinations are checked against) that `allowed` does not cover; a loopback name counts as
 * 127.0.0.1. Other names pass: they are not resolved here, so a name that resolves to an
 * internal address is not caught (docs/security.md).
 */
export function sipDestinationRefusal(uri: string, allowed: NetworkAllowList): string | undefined {
  const host = sipUriHost(uri);
  if (host === undefined) return undefined; // the schema's pattern and the driver judge the rest
  const isLoopbackName = LOOPBACK_NAMES.has(host) || host.endsWith('.localhost');
  const address = isLoopbackName ? '127.0.0.1' : host;
  const family = isIP(address.split('%')[0] ?? '');
  if (family === 0) return undefined;
  const match = specialRangeOf(address);
  if (!match) return undefined;
  const bare = address.split('%')[0] ?? '';
  const inAllowList =
    family === 4
      ? allowed.v4.check(bare, 'ipv4')
      : allowed.v6.check(bare, 'ipv6') || embeddedAllowed(match, allowed);
  if (inAllowList) return undefined;
  const why = describeSpecial(address, match);
  return isLoopbackName ? `${host} is a loopback name (${why})` : why;
}

// An IPv6 form embedding an IPv4 address (::ffff:10.0.0.5) is allowed when that address is.
function embeddedAllowed(match: ReturnType<typeof specialRangeOf>, allowed: NetworkAllowList): boolean {
  return match?.embeddedIpv4 !== undefined && allowed.v4.check(match.embeddedIpv4, 'ipv4');
}
