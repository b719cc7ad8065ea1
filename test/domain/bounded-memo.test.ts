import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMemo } from '../../src/domain/bounded-memo.ts';

test('an answer is computed once per key, null answers included', () => {
  const computed: string[] = [];
  const memo = new BoundedMemo((key) => {
    computed.push(key);
    return key === 'none' ? null : key.length;
  }, 10);
  assert.equal(memo.get('abc'), 3);
  assert.equal(memo.get('abc'), 3);
  assert.equal(memo.get('none'), null);
  assert.equal(memo.get('none'), null);
  assert.deepEqual(computed, ['abc', 'none']);
});

test('the memo never holds more than its bound, and a too-long key is answered but not kept', () => {
  const memo = new BoundedMemo((key) => key.toUpperCase(), 3, 8);
  for (const key of ['a', 'b', 'c', 'd', 'e']) memo.get(key);
  assert.ok(memo.size <= 3, `${memo.size} answers kept`);
  assert.equal(memo.get('x'.repeat(9)), 'X'.repeat(9));
  const before = memo.size;
  memo.get('y'.repeat(100));
  assert.equal(memo.size, before, 'the long key was not kept');
});
