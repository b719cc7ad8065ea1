import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findUnstorableText, MAX_JSON_DEPTH } from '../../src/api/unstorable-text.ts';
import type { FieldError } from '../../src/domain/pconn-error.ts';

// The check walks every JSON body without building pointers until it finds a problem; it must
// report exactly what the walk that built a pointer per member reported (kept here as the
// reference): the same problems, pointers, order and cap.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** The walk as it was: one pointer string per member. */
function referenceFindUnstorableText(
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
      referenceFindUnstorableText(item, `${pointer}/${index}`, errors, depth + 1);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      check(key, at);
      referenceFindUnstorableText(item, at, errors, depth + 1);
    }
  }
}

const check = (value: unknown, pointer = '') => {
  const actual: FieldError[] = [];
  const expected: FieldError[] = [];
  findUnstorableText(value, pointer, actual, 0);
  referenceFindUnstorableText(value, pointer, expected, 0);
  return { actual, expected };
};

test('unstorable text is reported with the same pointers, order and cap as the pointer-per-member walk', () => {
  let deep: unknown = 'x';
  for (let i = 0; i <= MAX_JSON_DEPTH + 1; i++) deep = i % 2 ? [deep] : { 'a/b~c': deep };
  const manyBadKeys = Object.fromEntries(
    Array.from({ length: 30 }, (_, i) => [`k${i}\u0000`, i % 3 ? 'ok' : '\ud800']),
  );
  const cases: [string, unknown][] = [
    ['clean', { contactId: 'ct_1', reason: 'bench', metadata: { a: [1, 'two', null, true] } }],
    ['nul value', { a: { 'b/c': ['ok', 'x\u0000y'] } }],
    ['nul key', { 'we~ird/\u0000': 1 }],
    ['lone surrogates', ['\ud800', 'ok😀', 'x\udc00', { '\udbff': '\udfff' }]],
    ['both in one string', ['\u0000\ud800']],
    ['too large number', { n: [1, Number.POSITIVE_INFINITY, -Number.MAX_VALUE] }],
    ['too deep', deep],
    ['past the cap, keys still checked', manyBadKeys],
    ['thirty bad values', Array.from({ length: 30 }, () => '\u0000')],
    // biome-ignore lint/suspicious/noSparseArray: a hole reads as undefined
    ['sparse', [1, , '\u0000']],
  ];
  for (const [label, value] of cases) {
    const { actual, expected } = check(value);
    assert.deepEqual(actual, expected, label);
  }
  const { actual, expected } = check({ a: '\u0000' }, '/contact');
  assert.deepEqual(actual, expected, 'a starting pointer is kept');
  assert.equal(actual[0]?.pointer, '/contact/a', 'pointer under the starting one');
});
