import { isToken, isWsp, scanToken, skipWsp, trimWsp } from './sip-grammar.ts';
import { SipHeaders } from './sip-headers.ts';
import type { SipMessage } from './sip-message.ts';
import { getContentLength } from './typed-headers.ts';
import { validateMessage } from './validate-message.ts';
import { parseVia } from './via.ts';

/** How the bytes arrived, which decides what a missing Content-Length means. */
export interface ParseOptions {
  /**
   * `datagram` (default): without Content-Length the body is the rest of the datagram.
   * `stream`: Content-Length is mandatory (RFC 3261 §18.3, §20.14).
   */
  transport?: 'datagram' | 'stream';
}

/** What could be read of a message that failed, for logging or for answering it. */
export interface PartialMessage {
  kind: 'request' | 'response';
  method?: string;
  uri?: string;
  status?: number;
  headers: SipHeaders;
}

/** A message that is not acceptable. */
export interface ParseFailure {
  ok: false;
  reason: string;
  /**
   * True for a request whose top Via, From, To, Call-ID and CSeq are present once each, so a
   * transport can answer `replyStatus` by copying them (RFC 3261 §8.2.6); else drop it.
   */
  canReply: boolean;
  /** 505 for an unsupported SIP version (RFC 3261 §21.5.20), else 400; set when canReply. */
  replyStatus?: 400 | 505;
  partial?: PartialMessage;
}

/** The outcome of {@link parseMessage}. */
export type ParseResult = { ok: true; message: SipMessage } | ParseFailure;

type StartLine =
  | { kind: 'request'; method: string; uri: string; problem?: string; replyStatus?: 400 | 505 }
  | { kind: 'response'; status: number; reason: string }
  | { kind: 'invalid'; reason: string };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const SIP_VERSION = /^SIP\/\d{1,3}\.\d{1,3}$/i;

function isSip20(version: string): boolean {
  return version.length === 7 && version.slice(0, 4).toUpperCase() === 'SIP/' && version.endsWith('2.0');
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 0x7f) return true;
  }
  return false;
}

function parseStatusLine(line: string): StartLine {
  // RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase.
  if (!isSip20(line.slice(0, 7)) || line.charCodeAt(7) !== 32) {
    return { kind: 'invalid', reason: 'malformed or unsupported Status-Line' };
  }
  const code = line.slice(8, 11);
  const status = /^[1-6]\d\d$/.test(code) ? Number(code) : 0;
  // A missing SP before an empty reason is tolerated; a longer code (RFC 4475 §3.1.2.19) is not.
  if (status === 0 || (line.length > 11 && line.charCodeAt(11) !== 32)) {
    return { kind: 'invalid', reason: 'Status-Code outside 100-699' };
  }
  const reason = line.slice(12);
  // Reason-Phrase is any UTF-8 text with SP/HTAB; only control characters are refused.
  if (hasControl(reason)) return { kind: 'invalid', reason: 'control character in Reason-Phrase' };
  return { kind: 'response', status, reason };
}

function parseStartLine(line: string): StartLine {
  if (line.slice(0, 4).toUpperCase() === 'SIP/') return parseStatusLine(line);
  // RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version, one SP each.
  const parts = line.split(' ');
  const [method = '', uri = '', version = ''] = parts;
  if (parts.length === 3 && isToken(method) && uri.length > 0 && SIP_VERSION.test(version)) {
    if (isSip20(version)) return { kind: 'request', method, uri };
    return { kind: 'request', method, uri, problem: 'unsupported SIP version', replyStatus: 505 };
  }
  // Extra SP (RFC 4475 §3.1.2.8-10) still looks like a request worth a 400; anything else
  // might not be SIP at all and is dropped.
  const words = parts.filter((w) => w.length > 0);
  const last = words[words.length - 1] ?? '';
  if (words.length >= 3 && isToken(words[0]!) && SIP_VERSION.test(last)) {
    return { kind: 'request', method: words[0]!, uri: words[1]!, problem: 'malformed Request-Line' };
  }
  return { kind: 'invalid', reason: 'malformed start line' };
}

/** Reads the header lines of `head` from `pos` into `names`/`values`; returns the first problem. */
function parseHeaderLines(head: string, pos: number, names: string[], values: string[]): string | undefined {
  let problem: string | undefined;
  let name: string | undefined;
  let value = '';
  const flush = () => {
    if (name !== undefined) {
      names.push(name);
      values.push(value);
    }
    name = undefined;
  };
  while (pos < head.length) {
    let end = head.indexOf('\r\n', pos);
    if (end === -1) end = head.length;
    const line = head.slice(pos, end);
    pos = end + 2;
    if (line.includes('\r') || line.includes('\n')) {
      flush();
      problem ??= 'bare CR or LF in the header section';
      continue;
    }
    if (isWsp(line.charCodeAt(0))) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the previous field; the
      // fold (CRLF and its whitespace) reads as one SP.
      if (name === undefined) {
        problem ??= 'continuation line without a header';
        continue;
      }
      const more = trimWsp(line);
      if (more.length > 0) value = value.length === 0 ? more : `${value} ${more}`;
      continue;
    }
    flush();
    // RFC 3261 §7.3.1: field-name *(SP / HTAB) ":" SWS field-value.
    const nameEnd = scanToken(line, 0);
    const colon = skipWsp(line, nameEnd);
    if (nameEnd === 0 || line.charCodeAt(colon) !== 58) {
      problem ??= 'malformed header line';
      continue;
    }
    name = line.slice(0, nameEnd);
    value = trimWsp(line.slice(colon + 1));
  }
  flush();
  return problem;
}

/** RFC 3261 §8.2.6.1: a response copies the Vias, From, To, Call-ID and CSeq. */
function replyable(headers: SipHeaders): boolean {
  const topVia = headers.list('via')[0];
  // Only sent-protocol and sent-by are needed to route the answer (RFC 3261 §18.2.2), so
  // broken parameters (RFC 4475 §3.1.2.1) do not prevent a 400.
  if (topVia === undefined || parseVia(topVia.split(';')[0]!) === undefined) return false;
  return ['from', 'to', 'call-id', 'cseq'].every((name) => headers.count(name) === 1);
}

function toBuffer(data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function parse(buf: Buffer, transport: 'datagram' | 'stream'): ParseResult {
  let start = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  while (buf[start] === 13 && buf[start + 1] === 10) start += 2;
  const headEnd = buf.indexOf(CRLFCRLF, start);
  if (headEnd === -1) return { ok: false, reason: 'no empty line after the headers', canReply: false };
  const head = buf.toString('utf8', start, headEnd);
  const firstEnd = head.indexOf('\r\n');
  const first = parseStartLine(firstEnd === -1 ? head : head.slice(0, firstEnd));
  if (first.kind === 'invalid') return { ok: false, reason: first.reason, canReply: false };
  const names: string[] = [];
  const values: string[] = [];
  let problem = parseHeaderLines(head, firstEnd === -1 ? head.length : firstEnd + 2, names, values);
  const headers = SipHeaders.fromParsed(names, values);
  if (first.kind === 'request') problem = first.problem ?? problem;

  // RFC 3261 §18.3: the body is exactly Content-Length bytes; bytes after it are discarded; a
  // shorter body is an error; without Content-Length a datagram's body runs to its end.
  const bodyStart = headEnd + 4;
  const lengths = headers.count('content-length');
  let body = buf.subarray(bodyStart);
  if (lengths === 0 && transport === 'stream') problem ??= 'missing Content-Length on a stream transport';
  else if (lengths > 1) problem ??= 'more than one Content-Length header';
  else if (lengths === 1) {
    const length = getContentLength(headers);
    if (length === undefined) problem ??= 'malformed Content-Length header';
    else if (length > body.length) problem ??= 'body shorter than Content-Length';
    else body = body.subarray(0, length);
  }

  const message: SipMessage =
    first.kind === 'request'
      ? { kind: 'request', method: first.method, uri: first.uri, headers, body }
      : { kind: 'response', status: first.status, reason: first.reason, headers, body };
  problem ??= validateMessage(message);
  if (problem === undefined) return { ok: true, message };
  if (first.kind === 'response') {
    return {
      ok: false,
      reason: problem,
      canReply: false,
      partial: { kind: 'response', status: first.status, headers },
    };
  }
  const partial: PartialMessage = { kind: 'request', method: first.method, uri: first.uri, headers };
  if (!replyable(headers)) return { ok: false, reason: problem, canReply: false, partial };
  return { ok: false, reason: problem, canReply: true, replyStatus: first.replyStatus ?? 400, partial };
}

/**
 * Parses one SIP message (RFC 3261 §7, §25) from a datagram or from the bytes a
 * StreamFramer delimited, and validates it (see validateMessage). Header values are kept raw
 * (folds unfolded) and parsed on demand by typed-headers. Never throws.
 */
export function parseMessage(data: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  try {
    return parse(toBuffer(data), options.transport ?? 'datagram');
  } catch (error) {
    // Defence in depth: a parser bug must cost one message, not the transport.
    return { ok: false, reason: `parser failure: ${String(error)}`, canReply: false };
  }
}
