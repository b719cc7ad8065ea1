import type { FieldError } from '../domain/pconn-error.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deepest nesting a body may have: no pconn document needs more, and PostgreSQL's jsonb parser has a stack limit. */
export const MAX_JSON_DEPTH = 32;

/**
 * Valid JSON can still carry what no PostgreSQL column can hold: the NUL character (\u0000),
 * unpaired UTF-16 surrogates, numbers beyond double range, and nesting deeper than MAX_JSON_DEPTH. They are refused up front
 * with a pointer (at most 20 problems), so they never reach the store as a 500.
 */
export function findUnstorableText(
  value: unknown,
  pointer: string,
  errors: FieldError[],
  depth: number,
): void {
  if (errors.length >= 20) return;
  if (depth > MAX_JSON_DEPTH) {
    errors.push({ pointer, code: 'too_large', detail: `Nested deeper than ${MAX_JSON_DEPTH} levels.` });
    return;
  }
  const check = (text: string, at: string) => {
    if (text.includes(String.fromCharCode(0)))
      errors.push({
        pointer: at,
        code: 'format',
        detail: 'Text must not contain the NUL character (\\u0000).',
      });
    else if (LONE_SURROGATE.test(text))
      errors.push({
        pointer: at,
        code: 'format',
        detail: 'Text must be valid Unicode (it has an unpaired surrogate).',
      });
  };
  if (typeof value === 'number' && !Number.isFinite(value)) {
    // JSON.parse turns 1e400 into Infinity, which would be stored as null.
    errors.push({ pointer, code: 'too_large', detail: 'The number is too large to represent.' });
    return;
  }
  if (typeof value === 'string') {
    check(value, pointer);
    return;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries())
      findUnstorableText(item, `${pointer}/${index}`, errors, depth + 1);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      check(key, at);
      findUnstorableText(item, at, errors, depth + 1);
    }
  }
}
