import { charTable, inTable, parseDigits } from './sip-grammar.ts';

/**
 * A SIP or SIPS URI (RFC 3261 §19.1.1). User, password, parameters and headers hold their
 * unescaped values (RFC 3261 §19.1.4 compares them unescaped); the host is kept as written,
 * with the brackets of an IPv6 reference.
 */
export interface SipUri {
  kind: 'sip';
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** URI parameters, names lower-cased, `null` when valueless (`;lr`). */
  params: Map<string, string | null>;
  /** Embedded headers (`?name=value&…`), in order. */
  headers: Array<[string, string]>;
}

/** A tel URI (RFC 3966): the number as written plus its parameters. */
export interface TelUri {
  kind: 'tel';
  number: string;
  params: Map<string, string | null>;
}

/** Any other absoluteURI (RFC 3261 §25.1), kept opaque. */
export interface OtherUri {
  kind: 'other';
  /** Lower-cased scheme. */
  scheme: string;
  /** Everything after `scheme:`. */
  value: string;
}

/** A parsed URI of any scheme. */
export type Uri = SipUri | TelUri | OtherUri;

const unreservedAnd = (extra: string) => charTable(`-_.!~*'()${extra}`, true);

// RFC 3261 §25.1 character sets (escaped "%" HEXDIG HEXDIG is accepted by percentDecode()).
const USER = unreservedAnd('&=+$,;?/');
const PASSWORD = unreservedAnd('&=+$,');
const PARAM = unreservedAnd('[]/:&+$');
const HEADER = unreservedAnd('[]/?:+$');
const URIC = unreservedAnd(';/?:@&=+$,');
const HOST = charTable('-.', true);
// RFC 3966: digits, hex digits and * # of local numbers, '+' and visual separators.
const TEL_NUMBER = charTable('0123456789abcdefABCDEF*#+-.()', false);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Checks that `s` holds only `allowed` characters and valid `%XX` escapes, and returns it
 * unescaped: UTF-8 when the bytes are UTF-8, else Latin-1, so that no input is lost.
 */
function percentDecode(s: string, allowed: Uint8Array): string | undefined {
  let escapes = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (hex(s.charCodeAt(i + 1)) < 0 || hex(s.charCodeAt(i + 2)) < 0) return undefined;
      escapes = true;
      i += 2;
    } else if (!inTable(allowed, c)) return undefined;
  }
  if (!escapes) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      bytes.push(hex(s.charCodeAt(i + 1)) * 16 + hex(s.charCodeAt(i + 2)));
      i += 2;
    } else bytes.push(c);
  }
  const raw = Uint8Array.from(bytes);
  try {
    return strictUtf8.decode(raw);
  } catch {
    return Buffer.from(raw).toString('latin1');
  }
}

/** Escapes every character outside `allowed` as UTF-8 `%XX`. */
function percentEncode(s: string, allowed: Uint8Array): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c !== 37 && inTable(allowed, c)) out += ch;
    else
      for (const b of Buffer.from(ch, 'utf8')) out += `%${b < 16 ? '0' : ''}${b.toString(16).toUpperCase()}`;
  }
  return out;
}

function validHost(host: string): boolean {
  if (host.startsWith('[')) {
    if (!host.endsWith(']') || host.length < 4 || !host.includes(':')) return false;
    for (let i = 1; i < host.length - 1; i++) {
      const c = host.charCodeAt(i);
      if (hex(c) < 0 && c !== 58 && c !== 46) return false;
    }
    return true;
  }
  if (host.length === 0 || host.charCodeAt(0) === 46 || host.charCodeAt(0) === 45) return false;
  for (let i = 0; i < host.length; i++) if (!inTable(HOST, host.charCodeAt(i))) return false;
  return !host.includes('..');
}

/** Parses `;name[=value]…` up to `end`; names lower-cased, values unescaped. */
function parseUriParams(s: string, start: number, end: number): Map<string, string | null> | undefined {
  const params = new Map<string, string | null>();
  let pos = start;
  while (pos < end) {
    if (s.charCodeAt(pos) !== 59) return undefined;
    let next = s.indexOf(';', pos + 1);
    if (next === -1 || next > end) next = end;
    const segment = s.slice(pos + 1, next);
    const eq = segment.indexOf('=');
    const name = percentDecode(eq === -1 ? segment : segment.slice(0, eq), PARAM)?.toLowerCase();
    const value = eq === -1 ? null : percentDecode(segment.slice(eq + 1), PARAM);
    if (!name || value === undefined || value === '' || params.has(name)) return undefined;
    params.set(name, value);
    pos = next;
  }
  return params;
}

function parseSipUri(scheme: 'sip' | 'sips', s: string): SipUri | undefined {
  let pos = 0;
  let user: string | undefined;
  let password: string | undefined;
  // '@' is in no character set after the userinfo, so the first one ends it.
  const at = s.indexOf('@');
  if (at !== -1) {
    if (s.indexOf('@', at + 1) !== -1) return undefined;
    const colon = s.indexOf(':');
    const userEnd = colon !== -1 && colon < at ? colon : at;
    user = percentDecode(s.slice(0, userEnd), USER);
    if (!user) return undefined;
    if (userEnd < at) {
      password = percentDecode(s.slice(userEnd + 1, at), PASSWORD);
      if (password === undefined) return undefined;
    }
    pos = at + 1;
  }
  let hostEnd = pos;
  if (s.charCodeAt(pos) === 91) hostEnd = s.indexOf(']', pos) + 1;
  else while (hostEnd < s.length && inTable(HOST, s.charCodeAt(hostEnd))) hostEnd++;
  const host = s.slice(pos, hostEnd);
  if (hostEnd <= pos || !validHost(host)) return undefined;
  pos = hostEnd;
  let port: number | undefined;
  if (s.charCodeAt(pos) === 58) {
    let portEnd = pos + 1;
    while (portEnd < s.length && s.charCodeAt(portEnd) >= 48 && s.charCodeAt(portEnd) <= 57) portEnd++;
    port = parseDigits(s.slice(pos + 1, portEnd), 65535);
    if (port === undefined) return undefined;
    pos = portEnd;
  }
  const query = s.indexOf('?', pos);
  const paramsEnd = query === -1 ? s.length : query;
  const params = parseUriParams(s, pos, paramsEnd);
  if (!params) return undefined;
  // Built once its parts are known: one Map per URI, and every URI object of the same shape.
  const uri: SipUri = { kind: 'sip', scheme, host, params, headers: [] };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  if (query !== -1) {
    for (const pair of s.slice(query + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? undefined : percentDecode(pair.slice(0, eq), HEADER);
      const value = eq === -1 ? undefined : percentDecode(pair.slice(eq + 1), HEADER);
      if (!name || value === undefined) return undefined;
      uri.headers.push([name, value]);
    }
  }
  return uri;
}

function parseTelUri(s: string): TelUri | undefined {
  const semi = s.indexOf(';');
  const number = semi === -1 ? s : s.slice(0, semi);
  if (number.length === 0 || number.lastIndexOf('+') > 0) return undefined;
  for (let i = 0; i < number.length; i++) if (!inTable(TEL_NUMBER, number.charCodeAt(i))) return undefined;
  const params = semi === -1 ? new Map<string, string | null>() : parseUriParams(s, semi, s.length);
  return params ? { kind: 'tel', number, params } : undefined;
}

/**
 * Parses a URI (RFC 3261 §19.1, §25.1; RFC 3966 for tel). sip/sips/tel are parsed in full,
 * any other scheme is checked for URI characters and kept opaque. Never throws.
 */
export function parseUri(s: string): Uri | undefined {
  const colon = s.indexOf(':');
  if (colon <= 0) return undefined;
  const c0 = s.charCodeAt(0) | 0x20;
  if (c0 < 97 || c0 > 122) return undefined;
  for (let i = 1; i < colon; i++) {
    const c = s.charCodeAt(i);
    if (!inTable(HOST, c) && c !== 43) return undefined;
  }
  const scheme = s.slice(0, colon).toLowerCase();
  const rest = s.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest);
  if (scheme === 'tel') return parseTelUri(rest);
  if (rest.length === 0 || percentDecode(rest, URIC) === undefined) return undefined;
  return { kind: 'other', scheme, value: rest };
}

function serializeUriParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [name, value] of params)
    out += `;${percentEncode(name, PARAM)}${value === null ? '' : `=${percentEncode(value, PARAM)}`}`;
  return out;
}

/** Serializes a URI, escaping what its component may not hold literally. */
export function serializeUri(uri: Uri): string {
  if (uri.kind === 'other') return `${uri.scheme}:${uri.value}`;
  if (uri.kind === 'tel') return `tel:${uri.number}${serializeUriParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += percentEncode(uri.user, USER);
    if (uri.password !== undefined) out += `:${percentEncode(uri.password, PASSWORD)}`;
    out += '@';
  }
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += serializeUriParams(uri.params);
  if (uri.headers.length > 0) {
    out += `?${uri.headers.map(([n, v]) => `${percentEncode(n, HEADER)}=${percentEncode(v, HEADER)}`).join('&')}`;
  }
  return out;
}
