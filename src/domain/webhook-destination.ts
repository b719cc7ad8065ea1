import { isIP } from 'node:net';
import { describeSpecial, specialRangeOf } from './special-addresses.ts';

/** The host a webhook URL names: an IP literal, or a DNS name still to be resolved. */
export type WebhookHost =
  | { kind: 'address'; address: string; family: 4 | 6 }
  | { kind: 'name'; name: string };

/**
 * The host of `url`, normalised. The WHATWG URL parser already turns every IPv4 spelling
 * (`127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`, `127.0.0.1.`) into dotted decimal and
 * compresses IPv6; names are lower-cased here and lose their trailing dot (`LOCALHOST.`).
 */
export function webhookHostOf(url: URL): WebhookHost {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(hostname);
  if (family === 4 || family === 6) return { kind: 'address', address: hostname, family };
  return { kind: 'name', name: hostname.toLowerCase().replace(/\.+$/, '') };
}

// Names that never leave the machine or the site, whatever DNS says. Names resolving to such
// addresses are caught at delivery, when they are resolved.
const LOCAL_SUFFIXES: ReadonlyArray<readonly [suffix: string, source: string]> = [
  ['localhost', 'RFC 6761 §6.3'],
  ['local', 'mDNS, RFC 6762'],
  ['home.arpa', 'RFC 8375'],
  ['internal', 'ICANN private-use TLD'],
  ['localdomain', 'local resolver convention'],
];
const LOCAL_NAMES = new Set(['ip6-localhost', 'ip6-loopback']);

/**
 * Why a webhook host is refused without resolving it — a special-purpose address or a
 * local-only name — or undefined when it may be used (names are checked again once resolved).
 */
export function hostRefusal(host: WebhookHost): string | undefined {
  if (host.kind === 'address') return addressRefusal(host.address);
  if (LOCAL_NAMES.has(host.name)) return `${host.name} is a loopback name`;
  const local = LOCAL_SUFFIXES.find(([suffix]) => host.name === suffix || host.name.endsWith(`.${suffix}`));
  return local ? `${host.name} is a local-only name (.${local[0]}, ${local[1]})` : undefined;
}

/** Why a (resolved or literal) address is refused as a webhook target, or undefined when public. */
export function addressRefusal(address: string): string | undefined {
  const match = specialRangeOf(address);
  return match ? describeSpecial(address, match) : undefined;
}
