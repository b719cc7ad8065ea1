import { isWsp, parseDigits, trimWsp } from './sip-grammar.ts';

/** What a StreamFramer found in the bytes pushed so far. */
export type FramerEvent =
  /** One whole message (its own copy), to hand to parseMessage with transport 'stream'. */
  | { kind: 'message'; data: Buffer }
  /** RFC 5626 §4.4.1 keep-alive ping (CRLFCRLF): the server answers with one CRLF. */
  | { kind: 'ping' }
  /** A single CRLF between messages: the RFC 5626 pong, or noise RFC 3261 §7.5 ignores. */
  | { kind: 'pong' }
  /** Framing is lost (oversized message, missing or bad Content-Length): close the connection. */
  | { kind: 'error'; reason: string };

/** Options of a {@link StreamFramer}. */
export interface StreamFramerOptions {
  /** Largest message (headers and body) accepted; default 64 KiB. */
  maxMessageBytes?: number;
  /**
   * `server` (default) waits for the second CRLF of a ping split across reads; `client`
   * reports a pong for every CRLF at once, since only servers answer pings.
   */
  role?: 'server' | 'client';
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Finds the single Content-Length of a header section (RFC 3261 §18.3: mandatory on streams). */
function contentLength(head: string, max: number): number | string {
  let value: string | undefined;
  let inField = false;
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (isWsp(line.charCodeAt(0))) {
      if (inField) value += ` ${trimWsp(line)}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = trimWsp(colon === -1 ? line : line.slice(0, colon)).toLowerCase();
    inField = name === 'content-length' || name === 'l';
    if (!inField) continue;
    if (value !== undefined) return 'more than one Content-Length header';
    value = line.slice(colon + 1);
  }
  if (value === undefined) return 'missing Content-Length on a stream transport';
  return parseDigits(trimWsp(value), max) ?? 'malformed Content-Length header';
}

/**
 * Splits a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3), reports
 * RFC 5626 keep-alives found between messages, and bounds what it buffers.
 */
export class StreamFramer {
  readonly #max: number;
  readonly #role: 'server' | 'client';
  #buf = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  /** Bytes of the current header section already searched for CRLFCRLF. */
  #scanned = 0;
  /** Total size of the current message once its headers are read, else -1. */
  #need = -1;
  #failed = false;

  /** Creates a framer for one connection. */
  constructor(options: StreamFramerOptions = {}) {
    this.#max = options.maxMessageBytes ?? 64 * 1024;
    this.#role = options.role ?? 'server';
  }

  /** Bytes held while waiting for the rest of a message. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Feeds received bytes; returns what they completed, in order. After an error it ignores all input. */
  push(chunk: Uint8Array): FramerEvent[] {
    if (this.#failed) return [];
    this.#append(chunk);
    const events: FramerEvent[] = [];
    while (this.#start < this.#end) {
      if (this.#need === -1 && this.#scanned === 0) {
        const keepalive = this.#keepalive();
        if (keepalive === 'wait') break;
        if (keepalive) {
          events.push({ kind: keepalive });
          continue;
        }
      }
      if (this.#need === -1) {
        const problem = this.#readHead();
        if (problem === 'wait') break;
        if (problem) return this.#fail(events, problem);
      }
      if (this.#end - this.#start < this.#need) break;
      const data = Buffer.from(this.#buf.subarray(this.#start, this.#start + this.#need));
      this.#start += this.#need;
      this.#need = -1;
      events.push({ kind: 'message', data });
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return events;
  }

  #append(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#buf.length) {
      const held = this.#end - this.#start;
      // Amortized doubling keeps a message arriving in many small reads O(n) to collect.
      const target =
        held + chunk.length <= this.#buf.length
          ? this.#buf
          : Buffer.allocUnsafe(Math.max(held + chunk.length, this.#buf.length * 2, 4096));
      this.#buf.copy(target, 0, this.#start, this.#end);
      this.#buf = target;
      this.#start = 0;
      this.#end = held;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Classifies CRLFs at a message boundary: 'ping', 'pong', 'wait' (undecided) or undefined. */
  #keepalive(): 'ping' | 'pong' | 'wait' | undefined {
    const b = this.#buf;
    const at = this.#start;
    const rest = this.#end - at;
    if (b[at] !== 13) return undefined;
    if (rest >= 2 && b[at + 1] !== 10) return undefined;
    if (rest >= 4 && b[at + 2] === 13 && b[at + 3] === 10) {
      this.#start += 4;
      return 'ping';
    }
    const couldBePing = rest < 4 && (rest < 3 || b[at + 2] === 13);
    if (rest < 2 || (couldBePing && this.#role === 'server')) return 'wait';
    this.#start += 2;
    return 'pong';
  }

  /** Finds the end of the header section and the message size, or says why it cannot. */
  #readHead(): string | 'wait' | undefined {
    const from = this.#start + Math.max(0, this.#scanned - 3);
    const headEnd = this.#buf.subarray(0, this.#end).indexOf(CRLFCRLF, from);
    if (headEnd === -1) {
      this.#scanned = this.#end - this.#start;
      return this.#scanned > this.#max ? `header section longer than ${this.#max} bytes` : 'wait';
    }
    this.#scanned = 0;
    const headBytes = headEnd + 4 - this.#start;
    const length = contentLength(this.#buf.toString('latin1', this.#start, headEnd), this.#max);
    if (typeof length === 'string') return length;
    if (headBytes + length > this.#max) return `message of ${headBytes + length} bytes exceeds ${this.#max}`;
    this.#need = headBytes + length;
    return undefined;
  }

  #fail(events: FramerEvent[], reason: string): FramerEvent[] {
    this.#failed = true;
    this.#buf = Buffer.alloc(0);
    this.#start = this.#end = 0;
    events.push({ kind: 'error', reason });
    return events;
  }
}
