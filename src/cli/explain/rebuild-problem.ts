import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import type { FieldError } from '../../sdk/index.ts';
import { REFERENCE_POINTERS, requestSchema } from './request-schemas.ts';
import { schemaErrors } from './schema-errors.ts';

// The server validates these formats with ajv and libphonenumber; these checks are close
// enough to find the same fields again (the server already decided the request was wrong).
const FORMATS: Record<string, (value: string) => boolean> = {
  e164: (v) => /^\+[1-9]\d{6,14}$/.test(v),
  'date-time': (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) &&
    !Number.isNaN(Date.parse(v)),
  uri: (v) => URL.canParse(v),
  email: (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v),
  'iana-time-zone': (v) => Intl.supportedValuesOf('timeZone').includes(v) || v === 'UTC',
};
for (const [name, check] of Object.entries(FORMATS))
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);

/** The audited facts a problem is rebuilt from. */
export interface AuditedRequest {
  method: string;
  route: string;
  code: string | null;
  body: unknown;
}

/**
 * Rebuilds a rejected request's field errors from its audit entry when the entry holds no copy
 * of the problem: schema failures by re-checking the audited body against the route's contract
 * schema, body-reference failures from the pointer the contract fixes for their code.
 */
export function rebuildFieldErrors(request: AuditedRequest): FieldError[] {
  const body = request.body;
  if (request.code === 'invalid_json') return jsonSyntaxErrors(body);
  const reference = request.code ? REFERENCE_POINTERS[request.code] : undefined;
  if (reference) {
    const value = valueAt(body, reference);
    return [
      {
        pointer: reference,
        code: request.code as string,
        detail: `${reference.slice(1)} ${value === undefined ? 'is missing' : `'${String(value)}'`} was refused (${request.code}).`,
      },
    ];
  }
  const schema = requestSchema(request.method, request.route);
  if (request.code !== 'invalid_request' || !schema || !isPlainBody(body)) return [];
  return schemaErrors(schema, body);
}

/**
 * Checks `value` against a contract schema and answers the errors the way the API words them
 * (pointer, code, detail, hint), each pointer prefixed with `prefix`.
 */
export function contractErrors(schema: TSchema, value: unknown, prefix: string): FieldError[] {
  return schemaErrors(schema, value).map((error) => ({ ...error, pointer: `${prefix}${error.pointer}` }));
}

function jsonSyntaxErrors(body: unknown): FieldError[] {
  const raw = (body as { raw?: unknown } | null)?.raw;
  if (typeof raw !== 'string') return [];
  try {
    JSON.parse(raw);
    return [];
  } catch (error) {
    return [
      { pointer: '', code: 'invalid_json', detail: `${(error as Error).message} in: ${raw.slice(0, 80)}` },
    ];
  }
}

function isPlainBody(body: unknown): boolean {
  return !!body && typeof body === 'object' && !('truncated' in body) && !('stream' in body);
}

function valueAt(body: unknown, pointer: string): unknown {
  let value: unknown = body;
  for (const part of pointer.split('/').slice(1))
    value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}
