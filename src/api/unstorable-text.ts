import type { FieldError } from '../domain/pconn-error.ts';

/** Deepest nesting a body may have: no pconn document needs more, and PostgreSQL's jsonb parser has a stack limit. */
export const MAX_JSON_DEPTH = 32;

const NUL = String.fromCharCode(0);

/**
 * Valid JSON can still carry what no PostgreSQL column can hold: the NUL character (\u0000),
 * unpaired UTF-16 surrogates, numbers beyond double range, and nesting deeper than MAX_JSON_DEPTH. They are refused up front
 * with a pointer (at most 20 problems), so they never reach the store as a 500.
 *
 * Every JSON body passes through here, so the walk builds nothing for a clean body: the path is
 * a stack of keys, turned into a pointer only for a problem (building one per member was most
 * of this check's cost on the accept path).
 */
export function findUnstorableText(
  value: unknown,
  pointer: string,
  errors: FieldError[],
  depth: number,
): void {
  walk(value, { base: pointer, keys: [] }, errors, depth);
}

/** Where the walk is: the pointer it started at and the keys (or indices) below it. */
interface Path {
  base: string;
  keys: (string | number)[];
}

function pointerOf(path: Path): string {
  let pointer = path.base;
  for (const key of path.keys)
    pointer += `/${typeof key === 'number' ? key : key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return pointer;
}

function walk(value: unknown, path: Path, errors: FieldError[], depth: number): void {
  if (errors.length >= 20) return;
  if (depth > MAX_JSON_DEPTH) {
    errors.push({
      pointer: pointerOf(path),
      code: 'too_large',
      detail: `Nested deeper than ${MAX_JSON_DEPTH} levels.`,
    });
    return;
  }
  if (typeof value === 'number') {
    // JSON.parse turns 1e400 into Infinity, which would be stored as null.
    if (!Number.isFinite(value))
      errors.push({
        pointer: pointerOf(path),
        code: 'too_large',
        detail: 'The number is too large to represent.',
      });
    return;
  }
  if (typeof value === 'string') {
    checkText(value, path, errors);
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.keys.push(index);
      walk(value[index], path, errors, depth + 1);
      path.keys.pop();
    }
    return;
  }
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      path.keys.push(key);
      checkText(key, path, errors);
      walk((value as Record<string, unknown>)[key], path, errors, depth + 1);
      path.keys.pop();
    }
  }
}

/** A member name or string value: NUL and unpaired surrogates cannot be stored. */
function checkText(text: string, path: Path, errors: FieldError[]): void {
  if (text.includes(NUL))
    errors.push({
      pointer: pointerOf(path),
      code: 'format',
      detail: 'Text must not contain the NUL character (\\u0000).',
    });
  else if (!text.isWellFormed())
    errors.push({
      pointer: pointerOf(path),
      code: 'format',
      detail: 'Text must be valid Unicode (it has an unpaired surrogate).',
    });
}
