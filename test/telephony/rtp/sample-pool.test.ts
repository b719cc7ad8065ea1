import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pooledSamples } from '../../../src/telephony/rtp/sample-pool.ts';

test('pooled frames are zeroed, never overlap, and keep their samples across slabs', () => {
  // More frames than one slab holds, each filled with its own number and kept, as a listener
  // recording a leg keeps them.
  const frames: Int16Array[] = [];
  for (let i = 0; i < 700; i++) {
    const frame = pooledSamples(i % 50 === 0 ? 80 : 160);
    assert.ok(
      frame.every((s) => s === 0),
      `frame ${i} starts zeroed`,
    );
    frame.fill(i);
    frames.push(frame);
  }
  for (const [i, frame] of frames.entries()) {
    assert.ok(
      frame.every((s) => s === i),
      `frame ${i} still holds its own samples`,
    );
  }
  assert.ok(new Set(frames.map((f) => f.buffer)).size >= 2, 'more than one slab was used');
});

test('a request larger than a quarter slab gets an array of its own', () => {
  const big = pooledSamples(160 * 100);
  assert.equal(big.length, 16_000);
  assert.equal(big.buffer.byteLength, 32_000);
});
