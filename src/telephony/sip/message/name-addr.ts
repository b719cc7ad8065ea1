import { type HeaderParams, onlyWspFrom, parseHeaderParams, serializeHeaderParams } from './header-params.ts';
import {
  inTable,
  isToken,
  isWsp,
  quoteString,
  readQuotedString,
  skipWsp,
  TOKEN_CHARS,
  trimWsp,
} from './sip-grammar.ts';
import { parseUri, serializeUri, type Uri } from './sip-uri.ts';

/**
 * A From / To / Contact / Route / Record-Route value (RFC 3261 §20.10, §25.1):
 * `["Display Name"] <uri>;param=value` or the addr-spec form `uri;param=value`.
 */
export interface NameAddr {
  /** Display name, unquoted; absent when there was none. */
  displayName?: string;
  uri: Uri;
  /** Header parameters (tag, expires, q, …), not the URI's own parameters. */
  params: HeaderParams;
}

/**
 * Parses one name-addr or addr-spec with its header parameters. Returns undefined for
 * anything outside the grammar, notably (RFC 4475 §3.1.2.6, .13, .14, .15) an unterminated
 * quote, an addr-spec holding `?` without angle brackets, whitespace inside the brackets and
 * an unquoted display name with non-token characters.
 */
export function parseNameAddr(value: string): NameAddr | undefined {
  const s = value;
  let pos = skipWsp(s, 0);
  let displayName: string | undefined;
  let uriText: string;
  if (s.charCodeAt(pos) === 34) {
    const quoted = readQuotedString(s, pos);
    if (!quoted) return undefined;
    displayName = quoted.value;
    pos = skipWsp(s, quoted.end);
    if (s.charCodeAt(pos) !== 60) return undefined;
  } else {
    // display-name = *(token LWS): scan tokens and whitespace; a '<' after them closes it.
    let j = pos;
    while (j < s.length && (inTable(TOKEN_CHARS, s.charCodeAt(j)) || isWsp(s.charCodeAt(j)))) j++;
    if (s.charCodeAt(j) === 60) {
      const name = trimWsp(s.slice(pos, j));
      if (name.length > 0) displayName = name;
      pos = j;
    }
  }
  if (s.charCodeAt(pos) === 60) {
    const close = s.indexOf('>', pos + 1);
    if (close === -1) return undefined;
    // RFC 3261 §25.1: LAQUOT = SWS "<" and RAQUOT = ">" SWS, so nothing may pad the URI.
    uriText = s.slice(pos + 1, close);
    pos = close + 1;
  } else {
    // RFC 3261 §20.10: without brackets the URI ends at the first ';' (header parameters
    // follow) and may not contain ',', '?' or ';' itself.
    let end = pos;
    while (end < s.length && s.charCodeAt(end) !== 59 && !isWsp(s.charCodeAt(end))) end++;
    uriText = s.slice(pos, end);
    if (uriText.includes('?') || uriText.includes(',')) return undefined;
    pos = end;
  }
  const uri = parseUri(uriText);
  if (!uri) return undefined;
  const parsed = parseHeaderParams(s, pos);
  if (!parsed || !onlyWspFrom(s, parsed.end)) return undefined;
  const result: NameAddr = { uri, params: parsed.params };
  if (displayName !== undefined) result.displayName = displayName;
  return result;
}

/**
 * Serializes a name-addr, always in angle brackets so that URI parameters never read as header
 * parameters. The display name is written bare when it is a run of tokens, else quoted.
 */
export function serializeNameAddr(value: NameAddr): string {
  let out = '';
  if (value.displayName !== undefined) {
    const bare = value.displayName.split(' ').every(isToken);
    out = `${bare ? value.displayName : quoteString(value.displayName)} `;
  }
  return `${out}<${serializeUri(value.uri)}>${serializeHeaderParams(value.params)}`;
}
