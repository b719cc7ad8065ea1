import { isIPv6 } from 'node:net';

/**
 * The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text forms: `::` compression and a
 * trailing dotted quad), or undefined when `address` is not IPv6. A zone (`%eth0`) is ignored.
 */
export function ipv6Words(address: string): number[] | undefined {
  const bare = address.split('%')[0] ?? '';
  if (!isIPv6(bare)) return undefined;
  const expand = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [Number.parseInt(group, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = bare.split('::');
  const left = expand(head);
  if (tail === undefined) return left;
  const right = expand(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** Dotted-quad text of the IPv4 address held in two 16-bit groups. */
export function ipv4FromWords(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
