import { BlockList, isIP } from 'node:net';
import { ipv4FromWords, ipv6Words } from './ipv6-words.ts';

/** One block of addresses that is no place to send a webhook, and where it is defined. */
export interface SpecialRange {
  /** The block, `127.0.0.0/8`. */
  cidr: string;
  /** Its name in the registry, `Loopback`. */
  name: string;
  /** The defining document, `RFC 1122`. */
  source: string;
}

/** Why an address is special: its block, and the IPv4 address it embeds when that decided it. */
export interface SpecialMatch {
  range: SpecialRange;
  /** Set when an IPv6 form (mapped, compatible, NAT64, 6to4) embeds this special IPv4 address. */
  embeddedIpv4?: string;
}

type Row = readonly [cidr: string, name: string, source: string];

// IANA IPv4 Special-Purpose Address Registry (RFC 6890, updated by RFC 8190), every entry as of
// 2024, plus multicast (IANA IPv4 Multicast Address Space, RFC 5771). Entries the registry marks
// "globally reachable" (AS112, AMT, anycast relays) are blocked too: a webhook receiver never
// lives there, and blocking the whole registry is easier to check than a hand-picked subset.
const IPV4: readonly Row[] = [
  ['0.0.0.0/8', '"This network"', 'RFC 791 §3.2'],
  ['10.0.0.0/8', 'Private-Use', 'RFC 1918'],
  ['100.64.0.0/10', 'Shared Address Space (carrier-grade NAT)', 'RFC 6598'],
  ['127.0.0.0/8', 'Loopback', 'RFC 1122 §3.2.1.3'],
  ['169.254.0.0/16', 'Link Local (cloud metadata services live here)', 'RFC 3927'],
  ['172.16.0.0/12', 'Private-Use', 'RFC 1918'],
  ['192.0.0.0/24', 'IETF Protocol Assignments', 'RFC 6890 §2.1'],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC 5737'],
  ['192.31.196.0/24', 'AS112-v4', 'RFC 7535'],
  ['192.52.193.0/24', 'AMT', 'RFC 7450'],
  ['192.88.99.0/24', 'Deprecated 6to4 Relay Anycast', 'RFC 7526'],
  ['192.168.0.0/16', 'Private-Use', 'RFC 1918'],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['198.18.0.0/15', 'Benchmarking', 'RFC 2544'],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC 5737'],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC 5737'],
  ['224.0.0.0/4', 'Multicast', 'RFC 5771'],
  ['255.255.255.255/32', 'Limited Broadcast', 'RFC 919 §7'],
  ['240.0.0.0/4', 'Reserved', 'RFC 1112 §4'],
];

// IANA IPv6 Special-Purpose Address Registry (RFC 6890 and successors) as of 2024, plus the
// deprecated IPv4-compatible and site-local blocks, multicast, and — last — everything outside
// 2000::/3, the only space IANA has allocated to global unicast (IANA IPv6 Address Space; RFC 4291
// §2.4). ::ffff:0:0/96 (IPv4-mapped, RFC 4291 §2.5.5.2) and 64:ff9b::/96 (NAT64 well-known
// prefix, RFC 6052 §2.1) are absent on purpose: they are judged by the IPv4 address they embed,
// so a DNS64 resolver's answer for a public host still passes.
const IPV6: readonly Row[] = [
  ['::/128', 'Unspecified Address', 'RFC 4291 §2.5.2'],
  ['::1/128', 'Loopback Address', 'RFC 4291 §2.5.3'],
  ['::/96', 'IPv4-compatible (deprecated)', 'RFC 4291 §2.5.5.1'],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translation, local use', 'RFC 8215'],
  ['100::/64', 'Discard-Only Address Block', 'RFC 6666'],
  ['100:0:0:1::/64', 'Dummy IPv6 Prefix', 'RFC 9780'],
  ['2001::/23', 'IETF Protocol Assignments (Teredo, ORCHID, benchmarking…)', 'RFC 2928'],
  ['2001:db8::/32', 'Documentation', 'RFC 3849'],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['3fff::/20', 'Documentation', 'RFC 9637'],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC 9602'],
  ['fc00::/7', 'Unique-Local', 'RFC 4193'],
  ['fe80::/10', 'Link-Local Unicast', 'RFC 4291 §2.5.6'],
  ['fec0::/10', 'Site-Local (deprecated)', 'RFC 3879'],
  ['ff00::/8', 'Multicast', 'RFC 4291 §2.7'],
  ['::/3', 'Not global unicast (outside 2000::/3)', 'RFC 4291 §2.4'],
  ['4000::/2', 'Not global unicast (outside 2000::/3)', 'RFC 4291 §2.4'],
  ['8000::/1', 'Not global unicast (outside 2000::/3)', 'RFC 4291 §2.4'],
];

interface Entry {
  range: SpecialRange;
  list: BlockList;
}

// One BlockList per block so a refusal can name the block. Lists hold one family each: node's
// BlockList matches an IPv4 address against IPv6 rules as ::ffff:a.b.c.d, which ::/3 would catch.
function entries(rows: readonly Row[], type: 'ipv4' | 'ipv6'): Entry[] {
  return rows.map(([cidr, name, source]) => {
    const [network = '', prefix = ''] = cidr.split('/');
    const list = new BlockList();
    list.addSubnet(network, Number(prefix), type);
    return { range: { cidr, name, source }, list };
  });
}

const V4_ENTRIES = entries(IPV4, 'ipv4');
const V6_ENTRIES = entries(IPV6, 'ipv6');

// Fail closed: a string that is no IP address is never treated as a public one.
const NOT_AN_ADDRESS: SpecialRange = { cidr: '-', name: 'Not an IP address', source: 'RFC 4291 / RFC 791' };

/**
 * The special-purpose block `address` (IPv4 or IPv6 text, brackets and zone allowed) lies in, or
 * undefined for a public unicast address. IPv6 forms carrying an IPv4 address — mapped
 * (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) — are also
 * judged by that IPv4 address, so `::ffff:127.0.0.1` and `64:ff9b::7f00:1` count as loopback.
 */
export function specialRangeOf(address: string): SpecialMatch | undefined {
  // node's BlockList answers false for an address with a zone (`fe80::1%eth0`): drop the zone.
  const bare = (address.replace(/^\[|\]$/g, '').split('%')[0] ?? '').toLowerCase();
  const family = isIP(bare);
  if (family === 4) return firstMatch(V4_ENTRIES, bare, 'ipv4');
  const words = family === 6 ? ipv6Words(bare) : undefined;
  if (!words) return { range: NOT_AN_ADDRESS };
  const embedded = embeddedIpv4(words);
  if (embedded) {
    const inner = firstMatch(V4_ENTRIES, embedded.ipv4, 'ipv4');
    if (inner) return { ...inner, embeddedIpv4: embedded.ipv4 };
    if (embedded.decides) return undefined;
  }
  return firstMatch(V6_ENTRIES, bare, 'ipv6');
}

function firstMatch(
  list: readonly Entry[],
  address: string,
  type: 'ipv4' | 'ipv6',
): SpecialMatch | undefined {
  const hit = list.find((entry) => entry.list.check(address, type));
  return hit ? { range: hit.range } : undefined;
}

/**
 * The IPv4 address an IPv6 form carries; `decides` when that address alone says whether the
 * IPv6 one is public (mapped and NAT64 forms: they reach exactly that IPv4 host).
 */
function embeddedIpv4(words: readonly number[]): { ipv4: string; decides: boolean } | undefined {
  const [w0, w1, w2, w3, w4, w5, w6 = 0, w7 = 0] = words;
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  // ::ffff:a.b.c.d, RFC 4291 §2.5.5.2.
  if (zeroPrefix && w5 === 0xffff) return { ipv4: ipv4FromWords(w6, w7), decides: true };
  // ::a.b.c.d, RFC 4291 §2.5.5.1 (:: and ::1 are their own entries).
  if (zeroPrefix && w5 === 0 && (w6 !== 0 || w7 > 1)) return { ipv4: ipv4FromWords(w6, w7), decides: false };
  // 64:ff9b::a.b.c.d, RFC 6052 §2.1.
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0)
    return { ipv4: ipv4FromWords(w6, w7), decides: true };
  // 2002:AABB:CCDD::/48 carries a.b.c.d in bits 16–47, RFC 3056 §2.
  if (w0 === 0x2002) return { ipv4: ipv4FromWords(w1 ?? 0, w2 ?? 0), decides: false };
  return undefined;
}

/** A sentence saying why `address` is special, e.g. `127.0.0.1 is in 127.0.0.0/8 (Loopback, RFC 1122 §3.2.1.3)`. */
export function describeSpecial(address: string, match: SpecialMatch): string {
  const { cidr, name, source } = match.range;
  const where = cidr === '-' ? 'not an IP address' : `in ${cidr} (${name}, ${source})`;
  return match.embeddedIpv4
    ? `${address} embeds ${match.embeddedIpv4}, which is ${where}`
    : `${address} is ${where}`;
}
