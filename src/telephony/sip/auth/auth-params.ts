import { isWsp, readQuotedString, scanToken, skipWsp } from '../message/sip-grammar.ts';

/** One challenge or credentials value: `Scheme name=value, name="value", …`. */
export interface AuthHeader {
  /** The auth-scheme as written (`Digest`); compare case-insensitively. */
  scheme: string;
  /** Parameters, names lower-cased, values unquoted. */
  params: Map<string, string>;
}

function isValueEnd(c: number): boolean {
  return Number.isNaN(c) || c === 44 || c === 34 || isWsp(c);
}

/** True when a new `Scheme name=…` starts at `pos` rather than another parameter. */
function schemeStartsAt(s: string, pos: number): boolean {
  const end = scanToken(s, pos);
  if (end === pos || !isWsp(s.charCodeAt(end))) return false;
  return s.charCodeAt(skipWsp(s, end)) !== 61;
}

/**
 * Parses WWW-Authenticate, Proxy-Authenticate, Authorization or Proxy-Authorization values
 * (RFC 3261 §25.1 challenge / credentials; RFC 7235 §2.1 also lets one field list several
 * challenges). Values may be tokens or quoted strings; unquoted values are read up to the next
 * comma or space, which tolerates base64 nonces sent unquoted. Returns undefined when
 * malformed or when a parameter repeats.
 */
export function parseAuthHeader(value: string): AuthHeader[] | undefined {
  const s = value;
  const out: AuthHeader[] = [];
  let pos = skipWsp(s, 0);
  while (pos < s.length) {
    const schemeEnd = scanToken(s, pos);
    if (schemeEnd === pos) return undefined;
    const header: AuthHeader = { scheme: s.slice(pos, schemeEnd), params: new Map() };
    out.push(header);
    pos = skipWsp(s, schemeEnd);
    if (pos < s.length && pos === schemeEnd) return undefined;
    while (pos < s.length) {
      const nameEnd = scanToken(s, pos);
      if (nameEnd === pos) return undefined;
      const name = s.slice(pos, nameEnd).toLowerCase();
      pos = skipWsp(s, nameEnd);
      if (s.charCodeAt(pos) !== 61 || header.params.has(name)) return undefined;
      pos = skipWsp(s, pos + 1);
      if (s.charCodeAt(pos) === 34) {
        const quoted = readQuotedString(s, pos);
        if (!quoted) return undefined;
        header.params.set(name, quoted.value);
        pos = quoted.end;
      } else {
        const start = pos;
        while (!isValueEnd(s.charCodeAt(pos))) pos++;
        if (pos === start) return undefined;
        header.params.set(name, s.slice(start, pos));
      }
      pos = skipWsp(s, pos);
      if (pos >= s.length) break;
      if (s.charCodeAt(pos) !== 44) return undefined;
      // RFC 7235 §2.1 allows empty list elements.
      while (s.charCodeAt(pos) === 44) pos = skipWsp(s, pos + 1);
      if (schemeStartsAt(s, pos)) break;
    }
  }
  return out.length > 0 ? out : undefined;
}
