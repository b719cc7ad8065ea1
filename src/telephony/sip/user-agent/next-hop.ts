import { parseUri } from '../message/sip-uri.ts';
import { DEFAULT_SIP_PORT, type RemoteAddress, type SipTransportName } from '../transport/transport-types.ts';

/**
 * Where to send a request whose next hop is `uri` (RFC 3261 §8.1.2; RFC 3263 §4 without DNS
 * NAPTR/SRV): `maddr` or the host, the port or 5060, the `transport` parameter or UDP. When the
 * wanted transport is not open, the other one is used. Undefined for non-SIP or bad URIs.
 */
export function nextHop(uri: string, open: readonly SipTransportName[]): RemoteAddress | undefined {
  const parsed = parseUri(uri);
  if (parsed?.kind !== 'sip' || open.length === 0) return undefined;
  const wanted = parsed.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
  const transport = open.includes(wanted) ? wanted : open[0]!;
  const maddr = parsed.params.get('maddr');
  return { host: maddr || parsed.host, port: parsed.port ?? DEFAULT_SIP_PORT, transport };
}
