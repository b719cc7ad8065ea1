import { parseUri } from '../message/sip-uri.ts';
import {
  DEFAULT_SIP_PORT,
  DEFAULT_SIPS_PORT,
  type RemoteAddress,
  type SipTransportName,
} from '../transport/transport-types.ts';

/** The transport a URI asks for: TLS for sips: (RFC 3261 §26.2.2) or `transport=tls`, else its parameter or UDP. */
function wantedTransport(scheme: string, param: string | undefined): SipTransportName {
  if (scheme === 'sips' || param === 'tls') return 'tls';
  return param === 'tcp' ? 'tcp' : 'udp';
}

/**
 * Where to send a request whose next hop is `uri` (RFC 3261 §8.1.2; RFC 3263 §4 without DNS
 * NAPTR/SRV): `maddr` or the host, the port or 5060 (5061 over TLS), the transport the URI
 * asks for. When that transport is not open, another one is used — except for TLS, which is
 * never downgraded (a sips: URI demands TLS on every hop, RFC 5630 §3.1.1): undefined then.
 * Undefined for non-SIP or bad URIs.
 */
export function nextHop(uri: string, open: readonly SipTransportName[]): RemoteAddress | undefined {
  const parsed = parseUri(uri);
  if (parsed?.kind !== 'sip' || open.length === 0) return undefined;
  const wanted = wantedTransport(parsed.scheme, parsed.params.get('transport')?.toLowerCase());
  if (wanted === 'tls' && !open.includes('tls')) return undefined;
  const transport = open.includes(wanted) ? wanted : (open.find((t) => t !== 'tls') ?? open[0]!);
  const maddr = parsed.params.get('maddr');
  const port = parsed.port ?? (transport === 'tls' ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT);
  return { host: maddr || parsed.host, port, transport };
}
