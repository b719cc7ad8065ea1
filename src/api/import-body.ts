import type { IncomingMessage } from 'node:http';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { InvalidInputError, PconnError } from '../domain/pconn-error.ts';

/** Default of PCONN_IMPORT_MAX_BYTES: a 1.2M-row contact CSV is ~40 MB. */
export const DEFAULT_IMPORT_MAX_BYTES = 100 * 1024 * 1024;

/**
 * Puts the import route's body stream behind two guards, before the records are read from it:
 *
 * - a size limit (`maxBytes`, PCONN_IMPORT_MAX_BYTES): a Content-Length above it is refused at
 *   once, and a body that turns out longer (chunked) fails with 413 `payload_too_large` at the
 *   byte that crosses it. Fastify's `bodyLimit` does not apply to stream parsers.
 * - the client hanging up: a body cut off mid-upload ends the records with
 *   `client_closed_request`, so the import stops and discards what it staged right away instead
 *   of waiting for input that will never come.
 *
 * Only the wrapper is ever destroyed, never the request itself, so a 413 can still be written.
 */
export function guardImportBody(request: FastifyRequest, maxBytes: number): void {
  const source = request.body as Readable | undefined;
  if (!source || typeof source.pipe !== 'function') return; // not a stream: importRecords answers 415
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const raw = request.raw as IncomingMessage;
  const limited = new ByteLimit(maxBytes);
  const cutOff = () => {
    if (!raw.complete) limited.destroy(clientClosed());
  };
  raw.once('close', cutOff);
  source.once('error', cutOff);
  source.pipe(limited);
  request.body = limited;
}

class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) callback(tooLarge(this.maxBytes));
    else callback(null, chunk);
  }
}

function tooLarge(maxBytes: number): InvalidInputError {
  const detail = `Import bodies are limited to ${maxBytes} bytes (PCONN_IMPORT_MAX_BYTES); nothing was imported.`;
  return new InvalidInputError('payload_too_large', detail, {
    errors: [
      {
        pointer: '',
        code: 'payload_too_large',
        detail,
        hint: 'Split the file into smaller imports, or have the operator raise PCONN_IMPORT_MAX_BYTES.',
      },
    ],
    extensions: { maxBytes, setting: 'PCONN_IMPORT_MAX_BYTES' },
  });
}

function clientClosed(): PconnError {
  return new PconnError(
    'client_closed_request',
    'The client closed the connection before the import body was complete; nothing was imported.',
  );
}
