import type { SipHeaders } from './sip-headers.ts';
import type { SipMessage } from './sip-message.ts';
import { parseUri } from './sip-uri.ts';
import {
  getCallId,
  getContacts,
  getCSeq,
  getExpires,
  getFrom,
  getMaxForwards,
  getTo,
  getVias,
} from './typed-headers.ts';

// RFC 3261 §20.17: SIP-date is rfc1123-date and "the time zone MUST be GMT".
const RFC1123_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Checks a header that must appear exactly once and parse. */
function exactlyOne(headers: SipHeaders, name: string, parsed: unknown): string | undefined {
  const n = headers.count(name);
  if (n === 0) return `missing ${name} header`;
  if (n > 1) return `more than one ${name} header`;
  return parsed === undefined ? `malformed ${name} header` : undefined;
}

/** Checks a header that may appear at most once and must then parse. */
function atMostOne(headers: SipHeaders, name: string, parsed: () => unknown): string | undefined {
  const n = headers.count(name);
  if (n > 1) return `more than one ${name} header`;
  return n === 1 && parsed() === undefined ? `malformed ${name} header` : undefined;
}

/** Checks the headers every message needs (RFC 3261 §8.1.1, §8.2.6.2) and those we interpret. */
function commonProblem(headers: SipHeaders): string | undefined {
  if (headers.list('via').length === 0) return 'missing Via header';
  if (getVias(headers) === undefined) return 'malformed Via header';
  return (
    exactlyOne(headers, 'To', getTo(headers)) ??
    exactlyOne(headers, 'From', getFrom(headers)) ??
    exactlyOne(headers, 'Call-ID', getCallId(headers)) ??
    exactlyOne(headers, 'CSeq', getCSeq(headers)) ??
    atMostOne(headers, 'Expires', () => getExpires(headers)) ??
    atMostOne(headers, 'Date', () => {
      const date = headers.get('date');
      return date !== undefined && RFC1123_DATE.test(date) ? date : undefined;
    }) ??
    (headers.has('contact') && getContacts(headers) === undefined ? 'malformed Contact header' : undefined)
  );
}

/**
 * Returns why a parsed message is not acceptable, or undefined when it is: mandatory headers
 * (a request needs To, From, CSeq, Call-ID, Max-Forwards and Via: RFC 3261 §8.1.1), single
 * headers appearing once, valid values for every header the stack interprets, a Request-URI
 * without embedded headers (RFC 3261 §19.1.1 table 1) and a CSeq method equal to the request
 * method (RFC 3261 §8.1.1.5).
 */
export function validateMessage(message: SipMessage): string | undefined {
  const { headers } = message;
  if (message.kind === 'response') return commonProblem(headers);
  const uri = parseUri(message.uri);
  if (!uri) return 'malformed Request-URI';
  if (uri.kind === 'sip' && uri.headers.length > 0) return 'Request-URI carries headers';
  const problem = commonProblem(headers) ?? exactlyOne(headers, 'Max-Forwards', getMaxForwards(headers));
  if (problem) return problem;
  if (getCSeq(headers)?.method !== message.method) return 'CSeq method differs from the request method';
  return undefined;
}
