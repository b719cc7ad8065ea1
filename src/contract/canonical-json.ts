/**
 * JSON with object keys sorted at every depth: the text the audit chain hashes and the
 * Idempotency-Key fingerprint covers, so it must never change for a given value.
 *
 * Its definition is `JSON.stringify` with a replacer that hands the serializer a key-sorted copy
 * of every object (`replacerCanonicalJson`). That copy (an object, a key array and a sort per
 * object, and a replacer call per value) was a few percent of an accepted call's CPU, twice per
 * request (fingerprint, audit entry). Parsed request bodies and audit fields hold nothing but
 * plain JSON data, so those are written directly, with the same result; anything else (a Date,
 * a toJSON, a class instance, a bigint) goes through the definition itself. Data whose objects
 * already list their keys in canonical order (most bodies, every audit field array) is simply
 * `JSON.stringify`'s text: checking the order allocates nothing.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
    return replacerCanonicalJson(value);
  if (inCanonicalOrder(value, 0)) return JSON.stringify(value);
  const text = plainCanonical(value);
  return text ?? replacerCanonicalJson(value);
}

/** The definition: what `canonicalJson` returns for every value. */
export function replacerCanonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** Largest array index (2^32 − 2): such keys come first in an object's own key order. */
const MAX_ARRAY_INDEX = 4294967294;

/** True for keys ordinary objects list first, in numeric order (ECMA-262 OrdinaryOwnPropertyKeys). */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0); // NaN for ''
  if (!(first >= 48 && first <= 57)) return false;
  if (key === '0') return true;
  if (first === 48 || key.length > 10) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(key) <= MAX_ARRAY_INDEX;
}

/** Skipped members (the serializer leaves them out of objects, writes null in arrays). */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Deeper than this, the order check gives up (the writers below handle any depth). */
const MAX_CHECKED_DEPTH = 64;

/**
 * True when `value` is plain JSON data whose objects list their keys as the definition's sorted
 * copies would (array indices first — every object does that —, then the other keys in code
 * unit order, no `__proto__`): its `JSON.stringify` text is then the canonical text.
 */
function inCanonicalOrder(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth > MAX_CHECKED_DEPTH) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'bigint') return false;
      if (!inCanonicalOrder(item, depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  let previous: string | undefined;
  const record = value as Record<string, unknown>;
  // for…in, not Object.keys: no array to allocate. Plain objects inherit no enumerable keys.
  for (const key in record) {
    if (!isArrayIndex(key)) {
      if (key === '__proto__' || (previous !== undefined && previous >= key)) return false;
      previous = key;
    }
    const item = record[key];
    if (typeof item === 'bigint') return false;
    if (!inCanonicalOrder(item, depth + 1)) return false;
  }
  return true;
}

/**
 * The canonical text of plain JSON data, or undefined when `value` holds anything else (then
 * the caller falls back to the definition, which handles — or throws on — it the same way).
 */
function plainCanonical(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const text = isSkipped(item) ? 'null' : plainCanonical(item);
      if (text === undefined) return undefined;
      out += i === 0 ? text : `,${text}`;
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // The definition copies members into a new object in sorted order; that object then lists
  // its array-index keys first (ascending, which Object.keys already gives), the rest sorted.
  // Assigning `__proto__` to the copy sets its prototype instead: that member never appears.
  let names = keys;
  let indices: string[] = [];
  if (keys.some(isArrayIndex)) {
    indices = keys.filter(isArrayIndex);
    names = keys.filter((k) => !isArrayIndex(k));
  }
  names.sort();
  let out = '{';
  let first = true;
  for (const list of [indices, names]) {
    for (const key of list) {
      if (key === '__proto__') continue;
      const item = record[key];
      if (isSkipped(item)) continue;
      const text = plainCanonical(item);
      if (text === undefined) return undefined;
      out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
      first = false;
    }
  }
  return `${out}}`;
}
