import { reusable } from './reused-buffer.ts';

/** A parameter in binary format whose bytes are its text's UTF-8, after a version byte for jsonb. */
export interface BinaryText {
  text: string;
  jsonb: boolean;
}

/**
 * A parameter as bound: text format, binary format (a text's UTF-8, or bytes already in the
 * type's binary format: a bytea's, or a text[] from text-array.ts), or SQL null.
 */
export type BoundValue = string | BinaryText | Uint8Array | null;

const DESCRIBE_PORTAL = Buffer.from([0x44, 0, 0, 0, 6, 0x50, 0]); // Describe, the unnamed portal
const EXECUTE_ALL = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0]); // Execute it, every row
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const JSONB_VERSION = 1;

/**
 * A prepared statement's run as one protocol message — Close for statements evicted, Bind,
 * Describe, Execute and Sync, the bytes PGlite's `serialize.*` produce — written into one buffer
 * reused from run to run. PGlite's serializer copied every binary value twice and the message
 * once more, each copy a fresh allocation; a batch's rows travel as one parameter of ~100–200 KB,
 * so a run allocated and copied ~1 MB, and with the start script's malloc setting (blocks of 32 KB
 * and more mapped apart) each of those was a fresh mapping faulted in page by page.
 * The message is a view of the buffer, valid until the next `build`.
 */
export class RunMessages {
  #buffer = reusable(undefined);

  build(closes: readonly string[], statement: string, values: readonly BoundValue[]): Uint8Array {
    const lengths = values.map((value) =>
      value === null
        ? -1
        : typeof value === 'string'
          ? Buffer.byteLength(value, 'utf8')
          : value instanceof Uint8Array
            ? value.length
            : Buffer.byteLength(value.text, 'utf8') + (value.jsonb ? 1 : 0),
    );
    const closeLength = closes.reduce((sum, name) => sum + 1 + 4 + 1 + name.length + 1, 0);
    // Bind: portal "" and the statement's name (C strings), formats, values, no result formats.
    const bindBody =
      4 +
      1 +
      statement.length +
      1 +
      2 +
      2 * values.length +
      2 +
      lengths.reduce((sum, n) => sum + 4 + Math.max(n, 0), 0) +
      2;
    const total = closeLength + 1 + bindBody + DESCRIBE_PORTAL.length + EXECUTE_ALL.length + SYNC.length;
    const out = reusable(this.#buffer, total);
    this.#buffer = out;
    let at = 0;
    for (const name of closes) {
      out[at++] = 0x43; // Close
      at = out.writeInt32BE(4 + 1 + name.length + 1, at);
      out[at++] = 0x53; // a prepared statement
      at += out.write(name, at, 'latin1');
      out[at++] = 0;
    }
    out[at++] = 0x42; // Bind
    at = out.writeInt32BE(bindBody, at);
    out[at++] = 0; // the unnamed portal
    at += out.write(statement, at, 'latin1');
    out[at++] = 0;
    at = out.writeUInt16BE(values.length, at);
    for (const value of values)
      at = out.writeInt16BE(value !== null && typeof value !== 'string' ? 1 : 0, at);
    at = out.writeUInt16BE(values.length, at);
    values.forEach((value, i) => {
      at = out.writeInt32BE(lengths[i] as number, at);
      if (value === null) return;
      if (typeof value === 'string') at += out.write(value, at, 'utf8');
      else if (value instanceof Uint8Array) {
        out.set(value, at);
        at += value.length;
      } else {
        if (value.jsonb) out[at++] = JSONB_VERSION;
        at += out.write(value.text, at, 'utf8');
      }
    });
    at = out.writeInt16BE(0, at); // results in text format
    at += DESCRIBE_PORTAL.copy(out, at);
    at += EXECUTE_ALL.copy(out, at);
    at += SYNC.copy(out, at);
    return out.subarray(0, at);
  }
}
