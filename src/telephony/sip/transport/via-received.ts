import type { SipHeaders } from '../message/sip-headers.ts';
import { getTopVia } from '../message/typed-headers.ts';
import { serializeVia, type Via } from '../message/via.ts';
import {
  DEFAULT_SIP_PORT,
  DEFAULT_SIPS_PORT,
  type RemoteAddress,
  type SipTransportName,
  socketHost,
} from './transport-types.ts';

/**
 * Stamps the top Via of a received request with where it really came from: `received` when
 * the sent-by host differs from the source IP (RFC 3261 §18.2.1) and, when the client asked
 * with an empty `rport`, both `received` and `rport` (RFC 3581 §4). Returns the top Via as
 * stamped, or undefined when there is none to stamp.
 */
export function stampReceived(headers: SipHeaders, source: RemoteAddress): Via | undefined {
  const top = getTopVia(headers);
  if (!top) return undefined;
  const ip = socketHost(source.host);
  const wantsRport = top.params.has('rport');
  if (!wantsRport && socketHost(top.host) === ip) return top;
  const params = new Map(top.params);
  params.set('received', ip);
  if (wantsRport) params.set('rport', String(source.port));
  const stamped: Via = { ...top, params };
  const values = headers.list('via');
  // Rewriting all Vias as one list keeps their order, which is all RFC 3261 §7.3.1 preserves.
  headers.set('Via', [serializeVia(stamped), ...values.slice(1)].join(', '));
  return stamped;
}

/** Transport named by a Via's sent-protocol; anything but TCP and TLS is treated as UDP. */
export function viaTransport(via: Via): SipTransportName {
  return via.transport === 'TCP' ? 'tcp' : via.transport === 'TLS' ? 'tls' : 'udp';
}

/**
 * Where a response goes (RFC 3261 §18.2.2 with RFC 3581 §4): to `maddr` when present, else to
 * `received` (or the sent-by host) at the `rport` port (or the sent-by port, default 5060). The
 * caller first tries the connection the request came on for TCP.
 */
export function responseDestination(via: Via): RemoteAddress {
  const transport = viaTransport(via);
  const defaultPort = transport === 'tls' ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT;
  const maddr = via.params.get('maddr');
  if (maddr) return { host: maddr, port: via.port ?? defaultPort, transport };
  const received = via.params.get('received');
  const rport = via.params.get('rport');
  const port = rport ? Number(rport) : (via.port ?? defaultPort);
  return { host: received ?? via.host, port, transport };
}
