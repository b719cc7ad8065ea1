import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FieldError } from '../../sdk/index.ts';
import { FOREIGN_FIELDS, REFERENCE_POINTERS, requestSchema } from './request-schemas.ts';

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

function schemaErrors(schema: TSchema, body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, body)) {
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    const name = error.path.split('/').at(-1) ?? '';
    if (error.message === 'Unexpected property') {
      const parent = error.path.slice(0, error.path.lastIndexOf('/'));
      const hint = FOREIGN_FIELDS[name] ?? nearest(name, propertiesAt(schema, parent));
      errors.push({
        pointer: error.path,
        code: 'unknown_field',
        detail: `Unknown field '${name}'.`,
        ...(hint ? { hint } : {}),
      });
    } else if (error.message === 'Expected required property') {
      errors.push({ pointer: error.path, code: 'required', detail: `'${name}' is required.` });
    } else {
      const format = formatOf(error.schema);
      const hint = format === 'e164' && typeof error.value === 'string' ? e164Hint(error.value) : undefined;
      errors.push({
        pointer: error.path,
        code: format === 'e164' ? 'invalid_phone_number' : 'invalid_value',
        detail: format
          ? `${JSON.stringify(error.value)} is not a valid ${format === 'e164' ? 'E.164 phone number (a leading + and the country code)' : format}.`
          : `${JSON.stringify(error.value)}: ${error.message}.`,
        ...(hint ? { hint } : {}),
      });
    }
  }
  return errors;
}

/** The string format a schema asks for, looking into `anyOf` (nullable fields are unions). */
function formatOf(schema: TSchema): string | undefined {
  if (typeof schema.format === 'string') return schema.format;
  const variants = (schema.anyOf ?? []) as TSchema[];
  return variants
    .map((variant) => variant.format)
    .find((format): format is string => typeof format === 'string');
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

function e164Hint(value: string): string | undefined {
  const digits = value.replace(/[^\d]/g, '');
  if (!digits || value.startsWith('+')) return undefined;
  return `Did you mean '+${digits.length === 10 ? `1${digits}` : digits}'?`;
}

function valueAt(body: unknown, pointer: string): unknown {
  let value: unknown = body;
  for (const part of pointer.split('/').slice(1))
    value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

function propertiesAt(schema: TSchema, pointer: string): string[] {
  let node: TSchema | undefined = schema;
  for (const part of pointer.split('/').slice(1)) {
    if (/^\d+$/.test(part)) node = node?.items as TSchema | undefined;
    else node = (node?.properties as Record<string, TSchema> | undefined)?.[part];
  }
  return Object.keys((node?.properties as object | undefined) ?? {});
}

function nearest(name: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best ? `Did you mean '${best.candidate}'?` : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}
