import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/domain/ids.ts';
import { pooledRandomBytes } from '../../src/domain/random-pool.ts';

test('pooled random bytes: right sizes across refills, never repeated, each a private copy', () => {
  const seen = new Set<string>();
  // 1,000 × 15 bytes crosses the 4 KiB pool's refill three times, at uneven offsets.
  for (let i = 0; i < 1000; i++) {
    const bytes = pooledRandomBytes(15);
    assert.equal(bytes.length, 15);
    const hex = bytes.toString('hex');
    assert.ok(!seen.has(hex), `repeat at draw ${i}`);
    seen.add(hex);
  }
  // A result kept while the pool is refilled keeps its bytes (it is not a view of the pool).
  const kept = pooledRandomBytes(16);
  const before = Buffer.from(kept);
  for (let i = 0; i < 300; i++) pooledRandomBytes(16);
  assert.deepEqual(kept, before);
  assert.throws(() => pooledRandomBytes(4097), RangeError);
});

test('generated ids stay unique and time-ordered with pooled randomness', () => {
  const ids = Array.from({ length: 5000 }, () => newId('call'));
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^call_[0-9a-hjkmnp-tv-z]{26}$/);
  const heads = ids.map((id) => id.slice(5, 15));
  assert.deepEqual(heads, [...heads].sort(), 'the time part never goes backwards');
});
