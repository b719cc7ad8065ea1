import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShortLivedCache } from '../../src/wiring/short-lived-cache.ts';

test('one lookup per key while fresh, shared by concurrent callers; looked up again once stale', async () => {
  let now = 0;
  const lookups: string[] = [];
  const cache = new ShortLivedCache(
    async (key) => {
      lookups.push(key);
      return `${key}@${now}`;
    },
    1000,
    () => now,
  );
  assert.deepEqual(await Promise.all([cache.get('a'), cache.get('a'), cache.get('b')]), [
    'a@0',
    'a@0',
    'b@0',
  ]);
  now = 999;
  assert.equal(await cache.get('a'), 'a@0', 'still fresh');
  now = 1000;
  assert.equal(await cache.get('a'), 'a@1000', 'stale: read again');
  assert.deepEqual(lookups, ['a', 'b', 'a']);
});

test('a failed lookup is not kept', async () => {
  let fail = true;
  const cache = new ShortLivedCache(
    async () => {
      if (fail) throw new Error('store down');
      return 'ok';
    },
    60_000,
    () => 0,
  );
  await assert.rejects(cache.get('a'), /store down/);
  fail = false;
  assert.equal(await cache.get('a'), 'ok');
});

test('a forgotten key is looked up at the next get, however fresh it was', async () => {
  let version = 1;
  const cache = new ShortLivedCache(
    async () => version,
    60_000,
    () => 0,
  );
  assert.equal(await cache.get('t'), 1);
  version = 2;
  assert.equal(await cache.get('t'), 1, 'cached');
  cache.forget('t');
  assert.equal(await cache.get('t'), 2, 'written through this node: read again at once');
});
