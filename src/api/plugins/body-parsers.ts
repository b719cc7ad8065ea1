import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type FieldError, InvalidInputError } from '../../domain/pconn-error.ts';
import { type ImportRecord, readCsv, readNdjson } from '../../service/contacts/import-formats.ts';
import { countJsonMembers, MAX_JSON_MEMBERS } from '../json-member-count.ts';
import { findJsonSyntaxError } from '../json-syntax-error.ts';
import { findUnstorableText } from '../unstorable-text.ts';
import { decodeUtf8 } from '../utf8-text.ts';

/**
 * JSON bodies are read as text first, so the audit trail can digest exactly what was sent and
 * a syntax error can say where it is. An empty body is "no body" (action routes accept that).
 */
export function registerJsonParser(app: FastifyInstance): void {
  // Fastify's built-in text/plain parser would let a text body reach the schema as a string;
  // the contract wants 415 for anything that is not JSON.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parseJson = (
    request: FastifyRequest,
    body: Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    const decoded = decodeUtf8(body);
    if ('invalidAt' in decoded) {
      // The audit digests the bytes as Node reads them; the request is refused either way.
      request.rawBody = body.toString('utf8');
      return done(
        new InvalidInputError(
          'invalid_json',
          `The body is not valid UTF-8: byte offset ${decoded.invalidAt} (0x${(body[decoded.invalidAt] ?? 0).toString(16).padStart(2, '0')}) starts an invalid sequence. JSON must be UTF-8 (RFC 8259 §8.1).`,
          { extensions: { byteOffset: decoded.invalidAt } },
        ),
      );
    }
    const text = decoded.text;
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // V8's message quotes the body around the error (a password, say): never echoed. The
      // problem names the place and what the grammar expected there instead.
      const at = findJsonSyntaxError(text);
      return done(
        new InvalidInputError(
          'invalid_json',
          at
            ? `The body is not valid JSON: ${at.reason}, at line ${at.line}, column ${at.column} (position ${at.position}).`
            : 'The body is not valid JSON.',
          at ? { extensions: { position: at.position, line: at.line, column: at.column } } : {},
        ),
      );
    }
    const members = countJsonMembers(value);
    if (members > MAX_JSON_MEMBERS)
      return done(
        new InvalidInputError(
          'payload_too_large',
          `The body holds more than ${MAX_JSON_MEMBERS.toLocaleString('en')} object members and array items in all; no request needs that many (bulk data goes through the streamed import routes). Nothing was checked further.`,
          { extensions: { maxMembers: MAX_JSON_MEMBERS } },
        ),
      );
    const errors: FieldError[] = [];
    findUnstorableText(value, '', errors, 0);
    if (errors.length > 0)
      return done(
        new InvalidInputError('invalid_request', 'The body has text that cannot be stored.', { errors }),
      );
    done(null, value);
  };
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json'],
    { parseAs: 'buffer' },
    parseJson,
  );
}

/** application/x-www-form-urlencoded, for the OAuth token endpoint (RFC 6749 §4.4.2). */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      request.rawBody = text;
      done(null, Object.fromEntries(new URLSearchParams(text)));
    },
  );
}

/** text/csv and application/x-ndjson stay streams: imports read them row by row. */
export function registerStreamParsers(app: FastifyInstance): void {
  app.addContentTypeParser(
    ['text/csv', 'application/x-ndjson', 'application/ndjson'],
    (_request, payload, done) => {
      done(null, payload);
    },
  );
}

/**
 * The body of an import route as a stream of records: CSV (header row; `phoneTypes` columns
 * become typed numbers, others pass through by name) or NDJSON. Anything else is 415.
 */
export function importRecords(
  request: FastifyRequest,
  phoneTypes: readonly string[],
): AsyncGenerator<ImportRecord> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
  const stream = request.body as Readable | undefined;
  if (!stream || typeof stream.pipe !== 'function' || (type !== 'text/csv' && !type?.includes('ndjson'))) {
    throw new InvalidInputError(
      'unsupported_media_type',
      'Imports take text/csv or application/x-ndjson bodies.',
    );
  }
  return type === 'text/csv' ? readCsv(stream, phoneTypes) : readNdjson(stream);
}
