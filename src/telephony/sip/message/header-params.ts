import {
  charTable,
  inTable,
  isWsp,
  quoteString,
  readQuotedString,
  scanToken,
  skipWsp,
} from './sip-grammar.ts';

/**
 * Header parameters (RFC 3261 §25.1 generic-param) in order of appearance: names lower-cased
 * (they compare case-insensitively), values with quotes removed, `null` for a name without
 * value (`;lr`, `;rport`).
 */
export type HeaderParams = Map<string, string | null>;

/** Result of {@link parseHeaderParams}. */
export interface ParsedParams {
  params: HeaderParams;
  /** Index where parsing stopped: end of input or the first character that is not `;` after SWS. */
  end: number;
}

// gen-value = token / host / quoted-string. Besides token characters a host may hold ':' and
// brackets (IPv6), and Via's received= takes a bare IPv6address (RFC 3261 §20.42).
const VALUE_CHARS = charTable("-.!%*_+`'~:[]", true);

/**
 * Parses `*( SEMI generic-param )` from index `i` (RFC 3261 §25.1, SEMI = SWS ";" SWS,
 * EQUAL = SWS "=" SWS). Returns undefined on a malformed parameter, an empty one (`;;`,
 * RFC 4475 §3.1.2.1) or a repeated name, which would make tags and branches ambiguous.
 */
export function parseHeaderParams(s: string, i: number): ParsedParams | undefined {
  const params: HeaderParams = new Map();
  let pos = skipWsp(s, i);
  while (pos < s.length && s.charCodeAt(pos) === 59) {
    const nameStart = skipWsp(s, pos + 1);
    const nameEnd = scanToken(s, nameStart);
    if (nameEnd === nameStart) return undefined;
    const name = s.slice(nameStart, nameEnd).toLowerCase();
    if (params.has(name)) return undefined;
    pos = skipWsp(s, nameEnd);
    if (s.charCodeAt(pos) !== 61) {
      params.set(name, null);
      continue;
    }
    pos = skipWsp(s, pos + 1);
    if (s.charCodeAt(pos) === 34) {
      const quoted = readQuotedString(s, pos);
      if (!quoted) return undefined;
      params.set(name, quoted.value);
      pos = skipWsp(s, quoted.end);
      continue;
    }
    const valueStart = pos;
    while (pos < s.length && inTable(VALUE_CHARS, s.charCodeAt(pos))) pos++;
    if (pos === valueStart) return undefined;
    params.set(name, s.slice(valueStart, pos));
    pos = skipWsp(s, pos);
  }
  return { params, end: pos };
}

/** True when `value` can be written without quotes. */
function isBareValue(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!inTable(VALUE_CHARS, value.charCodeAt(i))) return false;
  return true;
}

/** Serializes parameters as `;name` / `;name=value`, quoting values that are not token or host. */
export function serializeHeaderParams(params: HeaderParams): string {
  let out = '';
  for (const [name, value] of params) {
    out += `;${name}`;
    if (value !== null) out += `=${isBareValue(value) ? value : quoteString(value)}`;
  }
  return out;
}

/** True when `s[i..]` holds only SP/HTAB. */
export function onlyWspFrom(s: string, i: number): boolean {
  for (let j = i; j < s.length; j++) if (!isWsp(s.charCodeAt(j))) return false;
  return true;
}
