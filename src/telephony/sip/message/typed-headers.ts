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

function single<T>(
  headers: SipHeaders,
  name: string,
  parse: (value: string) => T | undefined,
): T | undefined {
  return headers.cached(`one:${name}`, () => {
    const values = headers.getAll(name);
    return values.length === 1 ? parse(values[0]!) : undefined;
  });
}

function many<T>(
  headers: SipHeaders,
  name: string,
  parse: (value: string) => T | undefined,
): T[] | undefined {
  return headers.cached(`many:${name}`, () => {
    const out: T[] = [];
    for (const value of headers.list(name)) {
      const parsed = parse(value);
      if (parsed === undefined) return undefined;
      out.push(parsed);
    }
    return out;
  });
}

/** All Via values, top first; [] when there is none. */
export function getVias(headers: SipHeaders): readonly Via[] | undefined {
  return many(headers, 'via', parseVia);
}

/** The top Via (RFC 3261 §17.2.3 matches transactions on it). */
export function getTopVia(headers: SipHeaders): Via | undefined {
  return getVias(headers)?.[0];
}

/** The From value; undefined when absent, repeated or malformed. */
export function getFrom(headers: SipHeaders): NameAddr | undefined {
  return single(headers, 'from', parseNameAddr);
}

/** The To value; undefined when absent, repeated or malformed. */
export function getTo(headers: SipHeaders): NameAddr | undefined {
  return single(headers, 'to', parseNameAddr);
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
  return single(headers, 'call-id', parseCallId);
}

/** The CSeq; undefined when absent, repeated or malformed. */
export function getCSeq(headers: SipHeaders): CSeq | undefined {
  return single(headers, 'cseq', parseCSeq);
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
  return headers.cached('contacts', () => {
    const values = headers.list('contact');
    if (values.length === 1 && values[0] === '*') return '*';
    return many(headers, 'contact', parseContact);
  });
}

/** Route values in order; [] when there is none. */
export function getRoutes(headers: SipHeaders): readonly NameAddr[] | undefined {
  return many(headers, 'route', parseNameAddr);
}

/** Record-Route values in order; [] when there is none. */
export function getRecordRoutes(headers: SipHeaders): readonly NameAddr[] | undefined {
  return many(headers, 'record-route', parseNameAddr);
}

function integer(max: number): (value: string) => number | undefined {
  return (value) => parseDigits(trimWsp(value), max);
}

/** Content-Length (RFC 3261 §20.14); bounded at 2**31-1. */
export function getContentLength(headers: SipHeaders): number | undefined {
  return single(headers, 'content-length', integer(2 ** 31 - 1));
}

/** Max-Forwards, 0–255 (RFC 3261 §20.22). */
export function getMaxForwards(headers: SipHeaders): number | undefined {
  return single(headers, 'max-forwards', integer(255));
}

/** Expires in seconds, 0 to 2**32-1 (RFC 3261 §20.19). */
export function getExpires(headers: SipHeaders): number | undefined {
  return single(headers, 'expires', integer(MAX_DELTA_SECONDS));
}
