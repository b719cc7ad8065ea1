import { messages, type Results, types } from '@electric-sql/pglite';
import { reusable } from './reused-buffer.ts';

type Parser = (text: string, typeId: number) => unknown;

/** Backend message types (PostgreSQL's protocol, "Message Formats") this reader acts on. */
const ROW_DESCRIPTION = 0x54; // 'T'
const DATA_ROW = 0x44; // 'D'
const COMMAND_COMPLETE = 0x43; // 'C'
const ERROR_RESPONSE = 0x45; // 'E'
const NOTIFICATION_RESPONSE = 0x41; // 'A'
/** Commands whose tag's last number counts rows written (PGlite's parseResults sums them). */
const COUNTED_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

/** The answer's bytes, gathered from PGlite's output callbacks (each a view it reuses: copied). */
export class AnswerBytes {
  #buffer = reusable(undefined);
  #length = 0;

  /** PGlite's `onRawData`: appends a chunk of the answer. */
  readonly append = (chunk: Uint8Array): void => {
    const needed = this.#length + chunk.length;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length = needed;
  };

  /** Forgets the bytes gathered; the buffer is kept for the next answer unless one made it large. */
  reset(): void {
    this.#length = 0;
    this.#buffer = reusable(this.#buffer);
  }

  /** The bytes gathered so far (a view: valid until the next append or reset). */
  get bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}

/** A column of a row description: its name and how its text becomes a value. */
interface Column {
  name: string;
  typeId: number;
  parse: Parser | undefined;
}

/**
 * The results of one extended-protocol exchange, read from PGlite's raw answer the way
 * `parse.parseResults(execProtocol(…).messages)` reads them — the same rows (objects keyed by
 * column name, values through the same type parsers), fields, command and affected-row count —
 * and the first ErrorResponse thrown as the same `DatabaseError` with the same fields.
 *
 * Why not PGlite's reader: under sip_cps_ratio it was a fifth of the embedded store's thread
 * (the store's statements answered ~45 MB in its 4,000 calls, the status changes ~1.8 KB a
 * row). It copies the whole answer twice, then copies every field into an ArrayBuffer of its own
 * before decoding it, and builds a message object per row and an entries array per row. This
 * reader decodes each field straight from one buffer. Notices are dropped (PGlite only logs
 * them at a debug level); notifications need LISTEN, which the store never issues on PGlite.
 */
export function readAnswer(bytes: Buffer, parsers: Record<number, Parser>): Results[] {
  const results: Results[] = [];
  let columns: Column[] = [];
  let rows: Record<string, unknown>[] = [];
  let affectedRows = 0;
  let error: Error | undefined;
  let at = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at] as number;
    const length = bytes.readInt32BE(at + 1);
    const body = at + 5;
    const end = at + 1 + length;
    if (end > bytes.length) throw new Error('PGlite answered a truncated protocol message');
    switch (type) {
      case ROW_DESCRIPTION:
        columns = readColumns(bytes, body, parsers);
        rows = [];
        break;
      case DATA_ROW:
        rows.push(readRow(bytes, body, columns));
        break;
      case COMMAND_COMPLETE: {
        const tag = bytes.toString('utf8', body, end - 1);
        const words = tag.split(' ');
        const command = words[0] as string;
        const count = Number.parseInt(words[words.length - 1] as string, 10);
        if (COUNTED_COMMANDS.has(command)) affectedRows += count;
        const result: Results & { rowCount?: number } = {
          rows,
          fields: columns.map(({ name, typeId }) => ({ name, dataTypeID: typeId })),
          command,
          affectedRows,
        };
        if (!Number.isNaN(count)) result.rowCount = count;
        results.push(result);
        columns = [];
        rows = [];
        break;
      }
      case ERROR_RESPONSE:
        error ??= readError(bytes, body, end, length);
        break;
      case NOTIFICATION_RESPONSE:
        throw new Error('PGlite answered a notification, but this reader serves no LISTEN');
    }
    at = end;
  }
  if (error) throw error;
  if (results.length === 0) results.push({ affectedRows: 0, rows: [], fields: [] });
  return results;
}

function readColumns(bytes: Buffer, at: number, parsers: Record<number, Parser>): Column[] {
  const count = bytes.readInt16BE(at);
  let offset = at + 2;
  const columns: Column[] = [];
  for (let i = 0; i < count; i++) {
    const nul = bytes.indexOf(0, offset);
    const name = bytes.toString('utf8', offset, nul);
    // After the name: table oid (4), column number (2), type oid (4), size (2), modifier (4), format (2).
    const typeId = bytes.readInt32BE(nul + 7);
    offset = nul + 19;
    const parse = parsers[typeId] ?? (types.parsers as Record<number, Parser>)[typeId];
    columns.push({ name, typeId, parse });
  }
  return columns;
}

function readRow(bytes: Buffer, at: number, columns: readonly Column[]): Record<string, unknown> {
  const count = bytes.readInt16BE(at);
  let offset = at + 2;
  const row: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const length = bytes.readInt32BE(offset);
    offset += 4;
    const column = columns[i] as Column;
    if (length === -1) {
      row[column.name] = null;
      continue;
    }
    const text = bytes.toString('utf8', offset, offset + length);
    offset += length;
    const value = column.parse ? column.parse(text, column.typeId) : text;
    // Assigned, `__proto__` would set the row's prototype instead of a value (PGlite defines it).
    if (column.name === '__proto__') Object.defineProperty(row, column.name, { value, enumerable: true });
    else row[column.name] = value;
  }
  return row;
}

/** An ErrorResponse as PGlite's DatabaseError, its fields named as PGlite (and `pg`) name them. */
function readError(bytes: Buffer, at: number, end: number, length: number): Error {
  const fields: Record<string, string> = {};
  let offset = at;
  while (offset < end && bytes[offset] !== 0) {
    const code = String.fromCharCode(bytes[offset] as number);
    const nul = bytes.indexOf(0, offset + 1);
    fields[code] = bytes.toString('utf8', offset + 1, nul);
    offset = nul + 1;
  }
  const error = new messages.DatabaseError(fields.M ?? 'unknown error', length, 'error');
  Object.assign(error, {
    severity: fields.S,
    code: fields.C,
    detail: fields.D,
    hint: fields.H,
    position: fields.P,
    internalPosition: fields.p,
    internalQuery: fields.q,
    where: fields.W,
    schema: fields.s,
    table: fields.t,
    column: fields.c,
    dataType: fields.d,
    constraint: fields.n,
    file: fields.F,
    line: fields.L,
    routine: fields.R,
  });
  return error;
}
