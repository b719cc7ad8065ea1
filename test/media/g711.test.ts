import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../../src/media/g711.ts';

test('G.711 code words decode to the values of ITU-T G.711 tables 1 and 2', () => {
  // µ-law: 0xFF and 0x7F are the two zeros, 0x80/0x00 the extremes.
  assert.deepEqual([...decodeMulaw(Uint8Array.from([0xff, 0x7f, 0x80, 0x00]))], [0, 0, 32124, -32124]);
  // A-law: 0xD5/0x55 the smallest magnitudes (±8), 0xAA/0x2A the extremes.
  assert.deepEqual([...decodeAlaw(Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a]))], [8, -8, 32256, -32256]);
  assert.equal(encodeMulaw(Int16Array.from([0]))[0], 0xff);
  assert.equal(encodeAlaw(Int16Array.from([0]))[0], 0xd5);
});

test('G.711 round trips every 16-bit value within the companding step', () => {
  const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  const mu = decodeMulaw(encodeMulaw(all));
  const a = decodeAlaw(encodeAlaw(all));
  let worst = 0;
  for (let i = 0; i < all.length; i++) {
    const x = all[i] ?? 0;
    // The step grows with the magnitude: 1/16 of it at most (plus the clipping of µ-law's top).
    const allowed = Math.max(72, Math.abs(x) / 15);
    worst = Math.max(worst, Math.abs((mu[i] ?? 0) - x) / allowed, Math.abs((a[i] ?? 0) - x) / allowed);
  }
  assert.ok(worst <= 1, `a sample came back further than one companding step (${worst.toFixed(2)}×)`);
  // A second round trip changes nothing: decoded values are exactly representable.
  assert.deepEqual(decodeMulaw(encodeMulaw(mu)), mu);
  assert.deepEqual(decodeAlaw(encodeAlaw(a)), a);
});
