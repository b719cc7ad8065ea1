import { readFileSync } from 'node:fs';

/**
 * True once a socket on this host is bound to UDP `port`, or listens on TCP `port`: read from
 * /proc/net/{udp,tcp}, where each socket's local address is `HEXIP:HEXPORT` (and `0A` is
 * LISTEN). Lets a test wait for a spawned peer (sipp) to be ready instead of sleeping. Undefined
 * without /proc (not Linux): the caller cannot tell, and should go on.
 */
export function portBound(port: number, transport: 'udp' | 'tcp'): boolean | undefined {
  const localPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync(`/proc/net/${transport}`, 'utf8')
      .split('\n')
      .some((line) => {
        const fields = line.trim().split(/\s+/);
        return fields[1]?.endsWith(localPort) && (transport === 'udp' || fields[3] === '0A');
      });
  } catch {
    return undefined;
  }
}
