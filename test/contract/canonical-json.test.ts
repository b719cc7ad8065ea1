import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, replacerCanonicalJson } from '../../src/contract/canonical-json.ts';

// The audit chain and Idempotency-Key fingerprints hash this text: the direct writer must give
// exactly what the definition (JSON.stringify with a key-sorting replacer) gives, or stored
// chains stop verifying and retried keys stop matching.

const sameAsDefinition = (value: unknown, label: string) =>
  assert.equal(canonicalJson(value), replacerCanonicalJson(value), label);

test('canonical JSON of plain data is the definition’s text, key order and escapes included', () => {
  const cases: [string, unknown][] = [
    ['nested', { z: [1, { b: 2, a: '東京' }], a: null, m: { y: true, x: false } }],
    ['empty', [{}, [], '', 0]],
    ['numbers', [-0, 0.1, 1e21, 1e-7, 123456789012345680000, -1.5e300, Number.NaN, Infinity, -Infinity]],
    ['escapes', { 'quote"key': 'a\\b"c\n\t\u0001\u2028', '\u0000': 'nul' }],
    ['lone surrogates', ['\ud800', 'x\udc00y', '😀', { '\ud83d': 1 }]],
    ['code unit order', { é: 1, z: 2, Z: 3, _: 4, '😀': 5, ﬀ: 6, a: 7, '': 8 }],
    ['array-index keys', { b: 1, 10: 'ten', 2: 'two', a: 3, '01': 'not an index', 4294967294: 'max' }],
    ['beyond indices', { 4294967295: 'not an index', 1: 'one', '-1': 'neg', '1.5': 'dec' }],
    ['skipped members', { a: undefined, b: () => 1, c: Symbol('s'), d: 1 }],
    ['skipped items', [undefined, () => 1, Symbol('s'), 1]],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case
    ['sparse array', [1, , 3]],
    ['null prototype', Object.assign(Object.create(null), { b: 1, a: { d: 1, c: 2 } })],
    ['deep', JSON.parse('{"a":[[[[{"z":1,"y":[{"b":null,"a":"x"}]}]]]]}')],
  ];
  for (const [label, value] of cases) sameAsDefinition(value, label);
});

test('a parsed body’s own __proto__ member is left out, as the definition’s sorted copy drops it', () => {
  for (const text of [
    '{"__proto__": {"x": 1}, "a": 1}',
    '{"b": 2, "__proto__": 5, "a": 1}',
    '{"__proto__": null}',
    '{"__proto__": [1, 2], "length": 3}',
  ]) {
    const value = JSON.parse(text);
    sameAsDefinition(value, text);
    assert.ok(!canonicalJson(value).includes('__proto__'), `${text}: no __proto__ member`);
  }
});

test('values that are not plain data take the definition’s own path (toJSON, classes, undefined, bigint)', () => {
  class Point {
    constructor(
      readonly y: number,
      readonly x: number,
    ) {}
  }
  const cases: [string, unknown][] = [
    ['date', { at: new Date('2026-01-02T03:04:05.006Z'), list: [new Date(0)] }],
    ['toJSON', { b: { toJSON: () => ({ z: 1, a: 2 }) }, a: 1 }],
    ['class instance', [new Point(2, 1)]],
    ['boxed', [new String('s'), new Number(1), new Boolean(false)]],
    ['map', { m: new Map([[1, 2]]) }],
  ];
  for (const [label, value] of cases) sameAsDefinition(value, label);
  assert.equal(canonicalJson(undefined), undefined, 'undefined stays undefined');
  assert.equal(
    canonicalJson(() => 1),
    undefined,
    'a function stays undefined',
  );
  assert.throws(() => canonicalJson({ n: 1n }), TypeError, 'a bigint throws as JSON.stringify does');
});

test('random JSON documents give the definition’s text', () => {
  // A small deterministic generator (no flakes): keys from an alphabet that mixes index-like,
  // astral, accented and ASCII names; values of every JSON kind, nested.
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const keys = ['a', 'B', '0', '7', '10', '01', 'é', '😀', '_x', 'z', '__proto__', '-1', ''];
  const make = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
    if (kind === 0) return Math.floor(next() * 2000 - 1000) / (next() < 0.5 ? 1 : 7);
    if (kind === 1) return keys[Math.floor(next() * keys.length)];
    if (kind === 2) return next() < 0.5 ? null : next() < 0.5;
    if (kind === 3) return `s${'\ud800😀"\\\n'.slice(0, Math.floor(next() * 6))}`;
    if (kind === 4) return Array.from({ length: Math.floor(next() * 4) }, () => make(depth + 1));
    const out: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 5); i > 0; i--)
      out[keys[Math.floor(next() * keys.length)] ?? 'k'] = make(depth + 1);
    return out;
  };
  for (let i = 0; i < 2000; i++) {
    const value = JSON.parse(JSON.stringify(make(0)));
    sameAsDefinition(value, `document ${i}`);
  }
});
