/*
 * Character classes and small scanners of the RFC 3261 §25.1 grammar, shared by the header
 * parsers. Everything scans with index loops over char codes: no regular expressions, so no
 * backtracking on hostile input.
 */

const TAB = 9;
const SP = 32;
const DQUOTE = 34;
const BACKSLASH = 92;

/** A 7-bit lookup table holding `chars`, plus ALPHA and DIGIT when `alnum`. */
export function charTable(chars: string, alnum: boolean): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 48; c <= 57; c++) t[c] = 1;
    for (let c = 65; c <= 90; c++) t[c] = 1;
    for (let c = 97; c <= 122; c++) t[c] = 1;
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** RFC 3261 §25.1 token characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
export const TOKEN_CHARS = charTable("-.!%*_+`'~", true);

/** RFC 3261 §25.1 word characters (Call-ID): token plus ( ) < > : \ " / [ ] ? { }. */
export const WORD_CHARS = charTable('-.!%*_+`\'~()<>:\\"/[]?{}', true);

/** RFC 3261 §25.1 unreserved: alphanum / mark. */
export const UNRESERVED_CHARS = charTable("-_.!~*'()", true);

/** True when `c` is in the 7-bit table `t`. */
export function inTable(t: Uint8Array, c: number): boolean {
  return c < 128 && t[c] === 1;
}

/** True for SP and HTAB (RFC 3261 §25.1 WSP). */
export function isWsp(c: number): boolean {
  return c === SP || c === TAB;
}

/** True when `s` is a non-empty RFC 3261 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!inTable(TOKEN_CHARS, s.charCodeAt(i))) return false;
  return true;
}

/** Index of the first non-WSP character at or after `i`. */
export function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the token starting at `i` (equal to `i` when there is none). */
export function scanToken(s: string, i: number): number {
  while (i < s.length && inTable(TOKEN_CHARS, s.charCodeAt(i))) i++;
  return i;
}

/**
 * Trims SP and HTAB only. `String.prototype.trim` would also strip U+FEFF and other Unicode
 * spaces, which are header content (RFC 4475 §3.1.1.2 has a value starting with a BOM).
 */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** A quoted string read by {@link readQuotedString}. */
export interface QuotedString {
  /** The content with quoted-pairs resolved. */
  value: string;
  /** Index just past the closing quote. */
  end: number;
}

/**
 * Reads a quoted-string whose opening DQUOTE is at `i`. RFC 3261 §25.1: qdtext is LWS, %x21,
 * %x23-5B, %x5D-7E or UTF8-NONASCII; quoted-pair is "\" followed by %x00-09 / %x0B-0C / %x0E-7F.
 * Returns undefined for an unterminated string or a forbidden character.
 */
export function readQuotedString(s: string, i: number): QuotedString | undefined {
  if (s.charCodeAt(i) !== DQUOTE) return undefined;
  let out = '';
  let run = i + 1;
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === DQUOTE) return { value: out + s.slice(run, j), end: j + 1 };
    if (c === BACKSLASH) {
      const next = s.charCodeAt(j + 1);
      if (Number.isNaN(next) || next === 10 || next === 13 || next > 0x7f) return undefined;
      out += s.slice(run, j) + s[j + 1];
      j++;
      run = j + 1;
      continue;
    }
    if (c < SP && c !== TAB) return undefined;
    if (c === 0x7f) return undefined;
  }
  return undefined;
}

/**
 * Quotes `value` as an RFC 3261 quoted-string, escaping `"`, `\` and control characters.
 * Throws a RangeError for CR or LF, which no quoted-pair can carry (RFC 3261 §25.1).
 */
export function quoteString(value: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 10 || c === 13) throw new RangeError('a quoted string cannot contain CR or LF');
    if (c === DQUOTE || c === BACKSLASH || (c < SP && c !== TAB) || c === 0x7f) {
      out += `${value.slice(run, i)}\\${value[i]}`;
      run = i + 1;
    }
  }
  return `${out + value.slice(run)}"`;
}

/**
 * Splits a header value at top-level commas (RFC 3261 §7.3.1), never inside a quoted string
 * (with its backslash escapes) or between angle brackets. Items are WSP-trimmed; empty items
 * are kept so that callers can reject them (RFC 4475 §3.1.2.1).
 */
export function splitList(value: string): string[] {
  if (!value.includes(',')) return [trimWsp(value)];
  const items: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === BACKSLASH) i++;
      else if (c === DQUOTE) inQuote = false;
    } else if (c === DQUOTE) inQuote = true;
    else if (c === 60) inAngle = true;
    else if (c === 62) inAngle = false;
    else if (c === 44 && !inAngle) {
      items.push(trimWsp(value.slice(start, i)));
      start = i + 1;
    }
  }
  items.push(trimWsp(value.slice(start)));
  return items;
}

/**
 * Parses 1*DIGIT as a non-negative integer no larger than `max`; undefined for anything else
 * (sign, spaces, overflow). Leading zeros are allowed (RFC 4475 §3.1.1.1 sends "0068").
 */
export function parseDigits(s: string, max: number): number | undefined {
  if (s.length === 0) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
    if (n > max) return undefined;
  }
  return n;
}
