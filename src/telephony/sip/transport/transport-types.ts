import type { SipMessage } from '../message/sip-message.ts';

/** Transport protocols of the stack (RFC 3261 §18, TLS per §26.2); WS is out of scope. */
export type SipTransportName = 'udp' | 'tcp' | 'tls';

/** True for the stream transports (TCP, TLS): framed by Content-Length (RFC 3261 §18.3). */
export function isStream(transport: SipTransportName): boolean {
  return transport !== 'udp';
}

/**
 * Certificates of SIP over TLS (PEM text). The server presents `cert`/`key` to phones and
 * trunks; connections we open verify the peer's certificate against `ca` (default: Node's
 * trusted roots) unless `verifyPeer` is false.
 */
export interface SipTlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  /** Verify the certificate and host name of peers we connect to (default true). */
  verifyPeer?: boolean;
}

/** Where a message came from or goes to. */
export interface RemoteAddress {
  host: string;
  port: number;
  transport: SipTransportName;
}

/**
 * Why a message was dropped, as a bounded label (metrics): unparseable (answered 400/505 when
 * it could be), over the size, header or Via bounds (inbound-limits.ts), over its source's rate
 * (source-rate-limit.ts), from an address that is not the dialog's or transaction's peer
 * (spoofed_source), a stream that lost framing, or a failure above the transport.
 */
export type DropKind =
  | 'unparseable'
  | 'too_large'
  | 'too_many_headers'
  | 'too_many_vias'
  | 'rate_limited'
  | 'spoofed_source'
  | 'framing'
  | 'handler_failure';

/** A message the transport could not accept (see `SipTransport` options). */
export interface DroppedMessage {
  kind: DropKind;
  reason: string;
  source: RemoteAddress;
  /** True when a 400/505 was sent back (RFC 3261 §8.2.6), false when silently dropped. */
  answered: boolean;
}

/** A parsed message handed to the transaction layer, with the address it came from. */
export interface InboundMessage {
  message: SipMessage;
  source: RemoteAddress;
}

/** Default SIP port for UDP and TCP (RFC 3261 §19.1.2). */
export const DEFAULT_SIP_PORT = 5060;

/** Default port of SIP over TLS and of sips: URIs (RFC 3261 §19.1.2). */
export const DEFAULT_SIPS_PORT = 5061;

/** `host:port` key of a remote, used for TCP connection reuse; IPv6 hosts keep brackets. */
export function addressKey(host: string, port: number): string {
  return `${host}:${port}`;
}

/** Strips the brackets of an IPv6 reference for socket APIs. */
export function socketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Brackets a bare IPv6 address for use in a URI or Via (RFC 3261 §25.1 IPv6reference). */
export function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
