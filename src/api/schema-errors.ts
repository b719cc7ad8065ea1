import type { ErrorObject } from 'ajv';
import type { FieldErrorCode } from '../domain/error-codes.ts';
import type { FieldError } from '../domain/pconn-error.ts';
import { checkPhoneNumber } from '../domain/phone-number.ts';
import { closest } from '../service/field-errors.ts';
import { foreignFieldHint, type RouteKind } from './field-hints.ts';

// "Did you mean" compares the value with every candidate by edit distance, O(length × candidate)
// time and memory each: a 200,000-character time zone took 187 s against the ~430 zone names,
// blocking the event loop. Nothing longer than this is a typo of a field, zone or number (the
// longest zone name has 32 characters), so longer values get no hint and are echoed cut short.
const HINT_MAX_LENGTH = 64;

/** What the mapper needs to know about the request. */
export interface SchemaErrorContext {
  /** Which part of the request failed: errors outside the body carry the parameter name. */
  part: 'body' | 'querystring' | 'params' | 'headers';
  route: RouteKind;
  /** The tenant's default region, for "did you mean +…" hints on numbers without a '+'. */
  defaultRegion?: string;
}

/** How many field errors a problem lists at most; `errorCount` tells the total. */
export const MAX_REPORTED_ERRORS = 100;

/**
 * Turns ajv's errors into pconn field errors: one per problem, RFC 6901 pointers, contract
 * codes, and hints. Union ("anyOf") failures are narrowed to the branch the client evidently
 * meant, instead of listing every branch's complaints.
 */
export function mapSchemaErrors(errors: readonly ErrorObject[], context: SchemaErrorContext): FieldError[] {
  return mapSchemaErrorsCapped(errors, context, Number.POSITIVE_INFINITY).errors;
}

/**
 * mapSchemaErrors for an answer: the first `limit` errors mapped (hints and all), the rest only
 * counted. A body of 75,000 unknown members once took 7 s and answered 17.5 MB, each error
 * costing a "did you mean" search and a list of the known fields; past the limit an error costs a
 * set insertion. `total` counts distinct problems like the mapped list does (pointer and kind).
 */
export function mapSchemaErrorsCapped(
  errors: readonly ErrorObject[],
  context: SchemaErrorContext,
  limit: number = MAX_REPORTED_ERRORS,
): { errors: FieldError[]; total: number } {
  const narrowed = narrowUnions([...errors]);
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of narrowed) {
    if (result.length >= limit) {
      seen.add(unmappedKey(error));
      continue;
    }
    const mapped =
      'synthetic' in error
        ? (error as ErrorObject & { synthetic: FieldError }).synthetic
        : mapOne(error, context);
    if (!mapped) continue;
    const key = `${mapped.pointer}|${mapped.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(
      context.part === 'body'
        ? mapped
        : {
            ...mapped,
            pointer: '',
            detail: `Query/path parameter '${parameterName(mapped.pointer)}': ${mapped.detail}`,
          },
    );
  }
  return { errors: result, total: seen.size };
}

/** A dedupe key for an error past the limit, without mapping it (no hint search). */
function unmappedKey(error: ErrorObject): string {
  if ('synthetic' in error) {
    const synthetic = (error as ErrorObject & { synthetic: FieldError }).synthetic;
    return `${synthetic.pointer}|${synthetic.code}`;
  }
  const params = error.params as Record<string, unknown>;
  const member = params.additionalProperty ?? params.missingProperty;
  const pointer =
    member === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(String(member))}`;
  return `${pointer}|~${error.keyword}`;
}

function parameterName(pointer: string): string {
  return pointer.split('/').filter(Boolean).map(unescapePointer).join('.') || '(value)';
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function mapOne(error: ErrorObject, context: SchemaErrorContext): FieldError | undefined {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const make = (code: FieldErrorCode, detail: string, pointer = at, hint?: string): FieldError => ({
    pointer,
    code,
    detail,
    ...(hint ? { hint } : {}),
  });
  switch (error.keyword) {
    case 'required': {
      const name = String(params.missingProperty);
      return make('required', `'${name}' is required.`, `${at}/${escapePointer(name)}`);
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const near = name.length <= HINT_MAX_LENGTH ? closest(name, allowed) : undefined;
      const hint =
        foreignFieldHint(name, at, context.route, allowed) ?? (near ? `Did you mean '${near}'?` : undefined);
      const known = allowed.length > 0 ? ` Known fields here: ${allowed.join(', ')}.` : '';
      return make(
        'unknown_field',
        `Unknown field ${quote(name)}.${known}`,
        `${at}/${escapePointer(name)}`,
        hint,
      );
    }
    case 'type':
      return make('type', `Must be ${article(String(params.type))}, not ${describe(error.data)}.`);
    case 'format':
      return mapFormat(error, context, make);
    case 'enum':
      return make('enum', `Must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}.`);
    case 'const':
      return make('enum', `Must be ${JSON.stringify(params.allowedValue)}.`);
    case 'maxLength':
      return make('too_long', `Must be at most ${params.limit} characters long.`);
    case 'minLength':
      return make(
        'too_short',
        Number(params.limit) === 1
          ? 'Must not be empty.'
          : `Must be at least ${params.limit} characters long.`,
      );
    case 'maxItems':
      return make('too_long', `Must have at most ${params.limit} items.`);
    case 'minItems':
      return make('too_short', `Must have at least ${params.limit} item(s).`);
    case 'minimum':
    case 'exclusiveMinimum':
      return make('too_small', `Must be ${params.comparison} ${params.limit}.`);
    case 'maximum':
    case 'exclusiveMaximum':
      return make('too_large', `Must be ${params.comparison} ${params.limit}.`);
    case 'uniqueItems':
      return make('duplicate', `Items ${params.j} and ${params.i} are the same; each item may appear once.`);
    case 'pattern':
      return make('format', patternDetail(String(params.pattern)));
    case 'oneOf':
      return make('one_of', 'Must match exactly one of the allowed shapes.');
    case 'anyOf':
      return make('one_of', 'Does not match any of the allowed shapes.');
    default:
      return make('format', error.message ?? 'Invalid value.');
  }
}

function mapFormat(
  error: ErrorObject,
  context: SchemaErrorContext,
  make: (code: FieldErrorCode, detail: string, pointer?: string, hint?: string) => FieldError,
): FieldError {
  const format = String((error.params as { format?: unknown }).format);
  const value = typeof error.data === 'string' ? error.data : '';
  if (format === 'e164') {
    if (value.length > HINT_MAX_LENGTH)
      return make('invalid_phone_number', `${quote(value)} is far too long for a phone number.`);
    const check = checkPhoneNumber(value, context.defaultRegion);
    return check.ok
      ? make('invalid_phone_number', `${quote(value)} is not a valid E.164 number.`)
      : make('invalid_phone_number', check.detail, undefined, check.hint);
  }
  if (format === 'iana-time-zone') {
    const near =
      value.length <= HINT_MAX_LENGTH ? closest(value, Intl.supportedValuesOf('timeZone')) : undefined;
    return make(
      'format',
      `${quote(value)} is not an IANA time zone name (like America/New_York).`,
      undefined,
      near ? `Did you mean '${near}'?` : undefined,
    );
  }
  if (format === 'date-time')
    return make('format', `${quote(value)} is not an RFC 3339 timestamp (like 2026-01-31T09:00:00Z).`);
  if (format === 'uri') return make('format', `${quote(value)} is not an absolute URL.`);
  return make('format', `${quote(value)} is not a valid ${format}.`);
}

/** The value quoted for a detail, cut to HINT_MAX_LENGTH so a huge string is not sent back. */
function quote(value: string): string {
  if (value.length <= HINT_MAX_LENGTH) return `'${value}'`;
  return `'${value.slice(0, HINT_MAX_LENGTH).toWellFormed()}…' (${value.length} characters)`;
}

function patternDetail(pattern: string): string {
  if (pattern.startsWith('^[A-Za-z0-9._:-]'))
    return 'Ids use letters, digits and . _ : - (1 to 128 characters).';
  if (pattern.startsWith('^([01]')) return 'Must be a 24-hour time HH:MM, like 08:00.';
  if (pattern === '^sips?:') return "Must be a SIP URI starting with 'sip:' or 'sips:'.";
  if (pattern === '^https?://') return 'Must be an http:// or https:// URL.';
  return `Must match the pattern ${pattern}.`;
}

function article(type: string): string {
  if (type.includes(',')) return `one of ${type}`;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return article(typeof value);
}

type Branchy = ErrorObject & { synthetic?: FieldError };

/**
 * Replaces each failed union (anyOf) with the errors of the branch the client meant. A branch
 * is "meant" unless it fails on the union's own value type or on a discriminating constant
 * (e.g. device.type); among the meant ones, the one with the fewest errors wins. When no
 * branch is meant, one error lists what the value could have been.
 */
function narrowUnions(errors: Branchy[]): Branchy[] {
  const unions = errors
    .filter((e) => e.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  let remaining = errors;
  for (const union of unions) {
    if (!remaining.includes(union)) continue;
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<number, Branchy[]>();
    for (const error of remaining) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      const index = Number(error.schemaPath.slice(prefix.length).split('/')[0]);
      branches.set(index, [...(branches.get(index) ?? []), error]);
    }
    const options = (union.schema as Array<{ const?: unknown; type?: unknown }>) ?? [];
    const scored = [...branches.entries()].map(([index, list]) => {
      const wrongType = list.some(
        (e) => e.instancePath === union.instancePath && (e.keyword === 'type' || e.keyword === 'const'),
      );
      const wrongDiscriminator = list.some(
        (e) => e.keyword === 'const' && e.instancePath !== union.instancePath,
      );
      return { index, list, score: (wrongType ? 1000 : 0) + (wrongDiscriminator ? 500 : 0) + list.length };
    });
    scored.sort((a, b) => a.score - b.score);
    const best = scored[0];
    const drop = new Set<Branchy>([union, ...[...branches.values()].flat()]);
    remaining = remaining.filter((e) => !drop.has(e));
    if (best && best.score < 500) {
      remaining.push(...best.list);
    } else {
      const consts = options.filter((o) => 'const' in o).map((o) => JSON.stringify(o.const));
      const types = options.filter((o) => !('const' in o)).map((o) => String(o.type ?? 'object'));
      const synthetic: FieldError =
        consts.length > 0 && types.every((t) => t === 'null')
          ? {
              pointer: union.instancePath,
              code: 'enum',
              detail: `Must be one of: ${consts.join(', ')}${types.length ? ', null' : ''}.`,
            }
          : best && best.score < 1000
            ? mapDiscriminator(best.list, union.instancePath, options)
            : {
                pointer: union.instancePath,
                code: 'type',
                detail: `Must be one of: ${[...consts, ...types].join(', ')}; got ${describe(union.data)}.`,
              };
      remaining.push({ ...union, keyword: 'synthetic', synthetic });
    }
  }
  return remaining;
}

function mapDiscriminator(list: Branchy[], at: string, branches: ReadonlyArray<object>): FieldError {
  const options = branches as Array<{ properties?: Record<string, { const?: unknown }> }>;
  const failing = list.find((e) => e.keyword === 'const');
  const key = failing ? failing.instancePath.slice(at.length + 1) : 'type';
  const allowed = options.map((o) => o.properties?.[key]?.const).filter((v) => v !== undefined);
  return {
    pointer: failing?.instancePath ?? at,
    code: 'enum',
    detail: `Must be one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}.`,
  };
}
