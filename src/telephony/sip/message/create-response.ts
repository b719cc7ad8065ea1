import { SipHeaders } from './sip-headers.ts';
import type { SipResponse } from './sip-message.ts';
import { getTo } from './typed-headers.ts';

// RFC 3261 §21 reason phrases (plus 202 from RFC 3265), used when the caller gives none.
const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

/** The RFC 3261 §21 reason phrase of `status`, or a generic one for its class. */
export function defaultReason(status: number): string {
  return REASONS[status] ?? REASONS[Math.floor(status / 100) * 100] ?? 'Unknown';
}

/** Options of {@link createResponse}. */
export interface CreateResponseOptions {
  reason?: string;
  /** Tag to add to To when it has none (RFC 3261 §8.2.6.2; not for 100 Trying). */
  toTag?: string;
}

/**
 * Builds a response to a request, or to the `partial` of a failed parse that `canReply`:
 * copies every Via in order, From, To, Call-ID and CSeq as written (RFC 3261 §8.2.6.2), adding
 * the To tag when asked. The caller adds Contact, Allow, bodies and the like.
 */
export function createResponse(
  request: { headers: SipHeaders },
  status: number,
  options: CreateResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders();
  const fields = request.headers;
  for (let i = 0; i < fields.size; i++)
    if (fields.keyAt(i) === 'via') headers.append('Via', fields.valueAt(i));
  const copy = (name: string) => {
    const value = request.headers.get(name);
    if (value !== undefined) headers.append(name, value);
  };
  copy('From');
  const to = request.headers.get('to');
  if (to !== undefined) {
    const hasTag = getTo(request.headers)?.params.has('tag') ?? false;
    headers.append('To', options.toTag && !hasTag ? `${to};tag=${options.toTag}` : to);
  }
  copy('Call-ID');
  copy('CSeq');
  return {
    kind: 'response',
    status,
    reason: options.reason ?? defaultReason(status),
    headers,
    body: new Uint8Array(0),
  };
}
