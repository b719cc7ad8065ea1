import type { TSchema } from '@sinclair/typebox';
import { Value, type ValueError, ValueErrorType } from '@sinclair/typebox/value';
import type { FieldError } from '../../sdk/index.ts';
import { HIDDEN, isSecretPath } from '../secret-fields.ts';
import { FOREIGN_FIELDS } from './request-schemas.ts';

/**
 * Checks `body` against a contract schema and answers one error per field, worded the way the
 * API words them (pointer, code, detail, hint): a union such as a user's `device` is explained
 * by the variant the value chose (its `type`), not as "Expected union value" with the whole
 * object; values of secret-like members are never echoed.
 */
export function schemaErrors(schema: TSchema, body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  collect(schema, [...Value.Errors(schema, body)], errors, seen);
  return errors;
}

function collect(root: TSchema, found: ValueError[], errors: FieldError[], seen: Set<string>): void {
  for (const error of found) {
    if (error.type === ValueErrorType.Union) {
      const inner = unionBranch(error);
      if (inner) {
        collect(root, inner, errors, seen);
        continue;
      }
    }
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    errors.push(describe(root, error));
  }
}

/**
 * The errors of the union variant the value meant: the one whose `type` literal it carries,
 * else the non-null one (nullable members are unions with null), else the one with the fewest
 * errors. A `type` no variant has becomes one `enum` error naming the allowed values.
 */
function unionBranch(error: ValueError): ValueError[] | undefined {
  const variants = (error.schema.anyOf ?? []) as TSchema[];
  const branches = (error.errors ?? []).map((iterator) => [...iterator]);
  if (branches.length !== variants.length || branches.length === 0) return undefined;
  const candidates = branches
    .map((errs, i) => ({ errs, schema: variants[i] as TSchema }))
    .filter((c) => (error.value === null) === (c.schema.type === 'null'));
  if (candidates.length === 0) return undefined;
  const value = error.value as Record<string, unknown> | null;
  const tagged = candidates.filter((c) => typeof c.schema.properties?.type?.const === 'string');
  if (value && typeof value === 'object' && tagged.length === candidates.length) {
    const chosen = tagged.find((c) => c.schema.properties.type.const === value.type);
    if (chosen) return chosen.errs;
    const allowed = tagged.map((c) => `'${c.schema.properties.type.const}'`).join(', ');
    const pointer = `${error.path}/type`;
    return [
      {
        ...error,
        type: ValueErrorType.Literal,
        path: pointer,
        value: value.type,
        message: `must be one of ${allowed}`,
        errors: [],
      },
    ];
  }
  return candidates.reduce((best, c) => (c.errs.length < best.errs.length ? c : best)).errs;
}

function describe(root: TSchema, error: ValueError): FieldError {
  const name = error.path.split('/').at(-1) ?? '';
  const secret = isSecretPath(error.path);
  const shown = secret ? HIDDEN : JSON.stringify(error.value);
  const s = error.schema as Record<string, unknown>;
  const at = (code: string, detail: string, hint?: string): FieldError => ({
    pointer: error.path,
    code,
    detail,
    ...(hint ? { hint } : {}),
  });
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const parent = error.path.slice(0, error.path.lastIndexOf('/'));
      return at(
        'unknown_field',
        `Unknown field '${name}'.`,
        FOREIGN_FIELDS[name] ?? nearest(name, propertiesAt(root, parent)),
      );
    }
    case ValueErrorType.ObjectRequiredProperty:
      return at('required', `'${name}' is required.`);
    case ValueErrorType.StringMinLength:
      return at('too_short', `${shown} is too short: at least ${s.minLength} character(s).`);
    case ValueErrorType.StringMaxLength:
      return at(
        'too_long',
        `${secret ? HIDDEN : 'The value'} is too long: at most ${s.maxLength} character(s).`,
      );
    case ValueErrorType.StringPattern:
      return at('format', `${shown} does not have the expected form (pattern ${s.pattern}).`);
    case ValueErrorType.Literal:
      return at(
        'enum',
        `${shown} ${error.message.startsWith('must') ? error.message : `is not allowed: ${error.message}`}.`,
      );
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return at('too_small', `${shown} is too small: the minimum is ${s.minimum}.`);
    case ValueErrorType.NumberExclusiveMinimum:
      return at('too_small', `${shown} is too small: it must be greater than ${s.exclusiveMinimum}.`);
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return at('too_large', `${shown} is too large: the maximum is ${s.maximum}.`);
    case ValueErrorType.String:
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
    case ValueErrorType.Boolean:
    case ValueErrorType.Object:
    case ValueErrorType.Array:
      return at('type', `${shown} has the wrong type: ${error.message.replace(/^Expected/, 'expected')}.`);
    default: {
      const format = formatOf(error.schema);
      if (format === 'e164') {
        const hint = typeof error.value === 'string' && !secret ? e164Hint(error.value) : undefined;
        return at(
          'invalid_phone_number',
          `${shown} is not a valid E.164 phone number (a leading + and the country code).`,
          hint,
        );
      }
      if (format) return at('format', `${shown} is not a valid ${format}.`);
      return at('invalid_value', `${shown}: ${error.message}.`);
    }
  }
}

/** The string format a schema asks for, looking into `anyOf` (nullable fields are unions). */
function formatOf(schema: TSchema): string | undefined {
  if (typeof schema.format === 'string') return schema.format;
  const variants = (schema.anyOf ?? []) as TSchema[];
  return variants
    .map((variant) => variant.format)
    .find((format): format is string => typeof format === 'string');
}

function e164Hint(value: string): string | undefined {
  const digits = value.replace(/[^\d]/g, '');
  if (!digits || value.startsWith('+')) return undefined;
  return `Did you mean '+${digits.length === 10 ? `1${digits}` : digits}'?`;
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
