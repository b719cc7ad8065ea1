import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/** Where softphones can reach the SIP socket. */
export interface SipListenInfo {
  transport: 'udp' | 'tcp' | 'tls';
  /** The bound socket, `host:port` as bound (`0.0.0.0:5060` for every interface). */
  bound: string;
  /**
   * `host:port` values a phone can be pointed at, best first: the public address when one is
   * configured, else the bound host, or every interface's address when bound to all of them
   * (external ones first, loopback last).
   */
  reachableAt: string[];
}

/**
 * The addresses to print at start so that an agent knows where to point a softphone. `interfaces`
 * defaults to this machine's (tests pass their own).
 */
export function sipListenInfo(
  transport: 'udp' | 'tcp' | 'tls',
  bound: { host: string; port: number },
  publicAddress?: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): SipListenInfo {
  const hostPort = (host: string, port: number) =>
    host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const reachableAt: string[] = [];
  if (publicAddress)
    reachableAt.push(/:\d+$/.test(publicAddress) ? publicAddress : hostPort(publicAddress, bound.port));
  const wildcard = bound.host === '0.0.0.0' || bound.host === '::';
  if (!wildcard) reachableAt.push(hostPort(bound.host, bound.port));
  else {
    const all = Object.values(interfaces).flatMap((list) => list ?? []);
    const usable = all.filter(
      (a) => (bound.host === '::' || a.family === 'IPv4') && !a.address.startsWith('fe80'),
    );
    usable.sort((a, b) => Number(a.internal) - Number(b.internal) || a.family.localeCompare(b.family));
    for (const a of usable) reachableAt.push(hostPort(a.address, bound.port));
  }
  return { transport, bound: hostPort(bound.host, bound.port), reachableAt: [...new Set(reachableAt)] };
}
