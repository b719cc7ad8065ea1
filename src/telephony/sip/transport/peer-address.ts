import { isIP } from 'node:net';
import { type RemoteAddress, socketHost } from './transport-types.ts';

/** The host as sockets report it: no IPv6 brackets, `::ffff:` IPv4 mapping removed, lower case. */
function bareHost(host: string): string {
  const bare = socketHost(host).toLowerCase();
  return bare.startsWith('::ffff:') && bare.includes('.') ? bare.slice(7) : bare;
}

/** True when `host` is an IP address (a hostname cannot be compared with a source without DNS). */
export function isIpHost(host: string): boolean {
  return isIP(bareHost(host)) !== 0;
}

/**
 * True when a message from `source` came from `peer`. On UDP the source address and port must
 * both match: a forged datagram can claim any source IP, but an attacker who merely observed
 * the Call-ID and tags elsewhere rarely controls the peer's own IP:port. On TCP and TLS only
 * the IP is compared: a connection's source cannot be forged (the handshake), and a peer may
 * open a new connection from an ephemeral port.
 */
export function cameFrom(source: RemoteAddress, peer: RemoteAddress): boolean {
  // The same string is the same host (the usual case: the peer answers from where we sent).
  if (source.host !== peer.host && bareHost(source.host) !== bareHost(peer.host)) return false;
  return source.transport !== 'udp' || source.port === peer.port;
}

/**
 * True when `source` is one of `peers`, or when none of them is an IP address (hostnames we
 * cannot compare without resolving them: such dialogs are not checked, see docs/security.md).
 */
export function fromAnyPeer(source: RemoteAddress, peers: readonly RemoteAddress[]): boolean {
  const comparable = peers.filter((peer) => isIpHost(peer.host));
  return comparable.length === 0 || comparable.some((peer) => cameFrom(source, peer));
}
