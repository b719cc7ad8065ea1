import { type CSeq, parseCSeq } from './cseq.ts';
import { type NameAddr, parseNameAddr } from './name-addr.ts';
import { inTable, parseDigits, trimWsp, WORD_CHARS } from './sip-grammar.ts';
import type { SipHeaders } from './sip-headers.ts';
import { parseVia, type Via } from './via.ts';

/*
 * Parsed views of the headers the stack interprets, computed on first use and cached on the
 * SipHeaders (the cache is dropped on any change). Every getter returns undefined when the
 * header is absent or malformed; `headers.count(name)` tells the two apart. Returned objects
 * are shared with the cache: treat them as read-only.
 */

/** RFC 3261 §20.19, §10.2.1.1: delta-seconds up to 2**32-1. */
export const MAX_DELTA_SECONDS = 2 ** 32 - 1;

// Each getter memoizes a module-level function under a literal slot (`one:<name>`,
// `many:<name>`): no closure nor slot string is built per lookup.

/** The parsed value of a header that must appear once. */
function single<T>(
  headers: SipHeaders,
  name: string,
  parse: (value: string) => T | undefined,
): T | undefined {
  const values = headers.getAll(name);
  return values.length === 1 ? parse(values[0]!) : undefined;
}

/** Every value of a list header parsed, or undefined when one does not parse. */
function many<T>(
  headers: SipHeaders,
  name: string,
  parse: (value: string) => T | undefined,
): T[] | undefined {
  const out: T[] = [];
  for (const value of headers.list(name)) {
    const parsed = parse(value);
    if (parsed === undefined) return undefined;
    out.push(parsed);
  }
  return out;
}

/** All Via values, top first; [] when there is none. */
export function getVias(headers: SipHeaders): readonly Via[] | undefined {
  return headers.cached('many:via', viasOf);
}

/** The top Via (RFC 3261 §17.2.3 matches transactions on it). */
export function getTopVia(headers: SipHeaders): Via | undefined {
  return getVias(headers)?.[0];
}

/** The From value; undefined when absent, repeated or malformed. */
export function getFrom(headers: SipHeaders): NameAddr | undefined {
  return headers.cached('one:from', fromOf);
}

/** The To value; undefined when absent, repeated or malformed. */
export function getTo(headers: SipHeaders): NameAddr | undefined {
  return headers.cached('one:to', toOf);
}

/** RFC 3261 §25.1: callid = word [ "@" word ]. */
function parseCallId(value: string): string | undefined {
  const id = trimWsp(value);
  const at = id.indexOf('@');
  if (id.length === 0 || at === 0 || at === id.length - 1 || id.indexOf('@', at + 1) !== -1) return undefined;
  for (let i = 0; i < id.length; i++)
    if (i !== at && !inTable(WORD_CHARS, id.charCodeAt(i))) return undefined;
  return id;
}

/** The Call-ID; undefined when absent, repeated or malformed. */
export function getCallId(headers: SipHeaders): string | undefined {
  return headers.cached('one:call-id', callIdOf);
}

/** The CSeq; undefined when absent, repeated or malformed. */
export function getCSeq(headers: SipHeaders): CSeq | undefined {
  return headers.cached('one:cseq', cseqOf);
}

/** RFC 3261 §25.1: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). */
function isQValue(q: string): boolean {
  return q === '0' || q === '1' || /^(?:0\.\d{0,3}|1\.0{0,3})$/.test(q);
}

function parseContact(value: string): NameAddr | undefined {
  const contact = parseNameAddr(value);
  if (!contact) return undefined;
  const expires = contact.params.get('expires');
  if (expires !== undefined && (expires === null || parseDigits(expires, MAX_DELTA_SECONDS) === undefined)) {
    return undefined;
  }
  const q = contact.params.get('q');
  if (q !== undefined && (q === null || !isQValue(q))) return undefined;
  return contact;
}

/** Contact values, `'*'` for the REGISTER wildcard (RFC 3261 §10.2.2); [] when there is none. */
export function getContacts(headers: SipHeaders): readonly NameAddr[] | '*' | undefined {
  return headers.cached('contacts', contactsOf);
}

/** Route values in order; [] when there is none. */
export function getRoutes(headers: SipHeaders): readonly NameAddr[] | undefined {
  return headers.cached('many:route', routesOf);
}

/** Record-Route values in order; [] when there is none. */
export function getRecordRoutes(headers: SipHeaders): readonly NameAddr[] | undefined {
  return headers.cached('many:record-route', recordRoutesOf);
}

function integer(max: number): (value: string) => number | undefined {
  return (value) => parseDigits(trimWsp(value), max);
}

const contentLength = integer(2 ** 31 - 1);
const maxForwards = integer(255);
const expires = integer(MAX_DELTA_SECONDS);

/** Content-Length (RFC 3261 §20.14); bounded at 2**31-1. */
export function getContentLength(headers: SipHeaders): number | undefined {
  return headers.cached('one:content-length', contentLengthOf);
}

/** Max-Forwards, 0–255 (RFC 3261 §20.22). */
export function getMaxForwards(headers: SipHeaders): number | undefined {
  return headers.cached('one:max-forwards', maxForwardsOf);
}

/** Expires in seconds, 0 to 2**32-1 (RFC 3261 §20.19). */
export function getExpires(headers: SipHeaders): number | undefined {
  return headers.cached('one:expires', expiresOf);
}

// The memoized computations of the getters above.
const viasOf = (headers: SipHeaders) => many(headers, 'via', parseVia);
const fromOf = (headers: SipHeaders) => single(headers, 'from', parseNameAddr);
const toOf = (headers: SipHeaders) => single(headers, 'to', parseNameAddr);
const callIdOf = (headers: SipHeaders) => single(headers, 'call-id', parseCallId);
const cseqOf = (headers: SipHeaders) => single(headers, 'cseq', parseCSeq);
const routesOf = (headers: SipHeaders) => many(headers, 'route', parseNameAddr);
const recordRoutesOf = (headers: SipHeaders) => many(headers, 'record-route', parseNameAddr);
const contentLengthOf = (headers: SipHeaders) => single(headers, 'content-length', contentLength);
const maxForwardsOf = (headers: SipHeaders) => single(headers, 'max-forwards', maxForwards);
const expiresOf = (headers: SipHeaders) => single(headers, 'expires', expires);
const contactsOf = (headers: SipHeaders): readonly NameAddr[] | '*' | undefined => {
  const values = headers.list('contact');
  if (values.length === 1 && values[0] === '*') return '*';
  return many(headers, 'contact', parseContact);
};
