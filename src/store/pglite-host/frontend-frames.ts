/**
 * Cuts a client's byte stream into whole PostgreSQL frontend messages. A chunk written by `pg`
 * may hold several messages (an extended query's Parse/Bind/Describe/Execute/Sync) or part of
 * one (a large Bind), and PGlite must only ever be handed whole messages: it would read a cut
 * message's missing tail from whatever comes next.
 *
 * Two message shapes exist (PostgreSQL protocol 3.0, "Message Formats"): the startup-phase ones
 * (StartupMessage, SSLRequest, CancelRequest) have no type byte, just an Int32 length and an
 * Int32 code; every later one is a type byte followed by an Int32 length that counts itself.
 */
export class FrontendFrames {
  #buffer: Buffer = Buffer.alloc(0);
  #started = false;

  /** Adds `chunk` and returns the messages now complete, in order (possibly none). */
  push(chunk: Uint8Array): FrontendMessage[] {
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const messages: FrontendMessage[] = [];
    for (;;) {
      const message = this.#next();
      if (!message) return messages;
      messages.push(message);
    }
  }

  #next(): FrontendMessage | undefined {
    const buffer = this.#buffer;
    if (!this.#started) {
      if (buffer.length < 8) return undefined;
      const length = buffer.readInt32BE(0);
      if (buffer.length < length) return undefined;
      const code = buffer.readInt32BE(4);
      const kind = STARTUP_CODES.get(code) ?? 'startup';
      // The SSLRequest is answered before the real StartupMessage, on the same connection.
      if (kind === 'startup') this.#started = true;
      return this.#take(length, kind);
    }
    if (buffer.length < 5) return undefined;
    const length = 1 + buffer.readInt32BE(1);
    if (buffer.length < length) return undefined;
    return this.#take(length, String.fromCharCode(buffer[0] as number));
  }

  #take(length: number, type: string): FrontendMessage {
    const bytes = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return { type, bytes };
  }
}

/** One whole frontend message: its type byte as a letter ('Q', 'P', 'S', 'X'...) or a startup kind. */
export interface FrontendMessage {
  type: string;
  bytes: Buffer;
}

/** The startup-phase requests told apart by their code (the protocol version, for a StartupMessage). */
const STARTUP_CODES = new Map<number, string>([
  [80877103, 'ssl-request'],
  [80877104, 'gssenc-request'],
  [80877102, 'cancel-request'],
]);
