import { SipHeaders } from './sip-headers.ts';

/** A SIP request (RFC 3261 §7.1). The version is always SIP/2.0: others never parse. */
export interface SipRequest {
  kind: 'request';
  /** Method, case-sensitive (RFC 3261 §7.1). */
  method: string;
  /** Request-URI as written; `parseUri` gives its parts. */
  uri: string;
  headers: SipHeaders;
  /** Body bytes (may be a view into the received datagram). */
  body: Uint8Array;
}

/** A SIP response (RFC 3261 §7.2). */
export interface SipResponse {
  kind: 'response';
  /** Status code, 100–699. */
  status: number;
  /** Reason phrase, possibly empty (RFC 4475 §3.1.1.13). */
  reason: string;
  headers: SipHeaders;
  body: Uint8Array;
}

/** A SIP request or response. */
export type SipMessage = SipRequest | SipResponse;

const EMPTY = new Uint8Array(0);

/** Builds a request from header pairs (in order) and an optional body. */
export function createRequest(
  method: string,
  uri: string,
  headers: Iterable<readonly [string, string]> | SipHeaders = [],
  body: Uint8Array | string = EMPTY,
): SipRequest {
  return {
    kind: 'request',
    method,
    uri,
    headers: headers instanceof SipHeaders ? headers : new SipHeaders(headers),
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

/** Builds a response from header pairs (in order) and an optional body. */
export function createResponseMessage(
  status: number,
  reason: string,
  headers: Iterable<readonly [string, string]> | SipHeaders = [],
  body: Uint8Array | string = EMPTY,
): SipResponse {
  return {
    kind: 'response',
    status,
    reason,
    headers: headers instanceof SipHeaders ? headers : new SipHeaders(headers),
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}
