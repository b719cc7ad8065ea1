import { type HeaderParams, onlyWspFrom, parseHeaderParams, serializeHeaderParams } from './header-params.ts';
import { charTable, inTable, isWsp, parseDigits, scanToken, skipWsp } from './sip-grammar.ts';

/** One Via value (RFC 3261 §20.42, §25.1 via-parm). */
export interface Via {
  /** protocol-name, normally `SIP`. */
  protocol: string;
  /** protocol-version, normally `2.0`. */
  version: string;
  /** Upper-cased transport: UDP, TCP, TLS, SCTP, WS, … */
  transport: string;
  /** sent-by host as written; an IPv6 reference keeps its brackets. */
  host: string;
  port?: number;
  /** branch, received, rport, maddr, ttl and extensions (`rport` is `null` when valueless). */
  params: HeaderParams;
}

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this magic cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const HOST_CHARS = charTable('-.', true);

/** SWS "/" SWS, then a token; returns [token, end] or undefined. */
function slashToken(s: string, i: number): [string, number] | undefined {
  let pos = skipWsp(s, i);
  if (s.charCodeAt(pos) !== 47) return undefined;
  pos = skipWsp(s, pos + 1);
  const end = scanToken(s, pos);
  return end === pos ? undefined : [s.slice(pos, end), end];
}

function isIpLiteral(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const hexOrDigit = (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
    if (!hexOrDigit && c !== 46 && c !== 58) return false;
  }
  return true;
}

/** RFC 3261 §20.42: ttl is 0–255, rport digits or empty, received an IP address, branch a token. */
function validParams(params: HeaderParams): boolean {
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || parseDigits(ttl, 255) === undefined)) return false;
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && parseDigits(rport, 65535) === undefined) return false;
  const received = params.get('received');
  if (received !== undefined && (received === null || !isIpLiteral(received))) return false;
  const branch = params.get('branch');
  if (branch !== undefined && (branch === null || branch.length === 0)) return false;
  const maddr = params.get('maddr');
  return maddr !== null;
}

/**
 * Parses one Via value: sent-protocol LWS sent-by *(SEMI via-params), with SWS allowed around
 * '/' and ':' (RFC 4475 §3.1.1.1 folds inside it). Returns undefined when malformed.
 */
export function parseVia(value: string): Via | undefined {
  const s = value;
  const start = skipWsp(s, 0);
  const protocolEnd = scanToken(s, start);
  if (protocolEnd === start) return undefined;
  const version = slashToken(s, protocolEnd);
  const transport = version && slashToken(s, version[1]);
  if (!version || !transport) return undefined;
  let pos = transport[1];
  if (!isWsp(s.charCodeAt(pos))) return undefined;
  pos = skipWsp(s, pos);
  let hostEnd = pos;
  if (s.charCodeAt(pos) === 91) {
    hostEnd = s.indexOf(']', pos) + 1;
    if (hostEnd === 0 || !isIpLiteral(s.slice(pos + 1, hostEnd - 1))) return undefined;
  } else while (hostEnd < s.length && inTable(HOST_CHARS, s.charCodeAt(hostEnd))) hostEnd++;
  if (hostEnd === pos) return undefined;
  const via: Via = {
    protocol: s.slice(start, protocolEnd),
    version: version[0],
    transport: transport[0].toUpperCase(),
    host: s.slice(pos, hostEnd),
    params: new Map(),
  };
  pos = skipWsp(s, hostEnd);
  if (s.charCodeAt(pos) === 58) {
    const portStart = skipWsp(s, pos + 1);
    let portEnd = portStart;
    while (portEnd < s.length && s.charCodeAt(portEnd) >= 48 && s.charCodeAt(portEnd) <= 57) portEnd++;
    const port = parseDigits(s.slice(portStart, portEnd), 65535);
    if (port === undefined) return undefined;
    via.port = port;
    pos = portEnd;
  }
  const parsed = parseHeaderParams(s, pos);
  if (!parsed || !onlyWspFrom(s, parsed.end) || !validParams(parsed.params)) return undefined;
  via.params = parsed.params;
  return via;
}

/** Serializes a Via value in its canonical spacing: `SIP/2.0/UDP host:port;params`. */
export function serializeVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.version}/${via.transport} ${via.host}${port}${serializeHeaderParams(via.params)}`;
}
