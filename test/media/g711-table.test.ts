import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeAlawSample,
  decodeG711,
  decodeUlawSample,
  encodeAlawSample,
  encodeG711,
  encodeUlawSample,
  g711Silence,
} from '../../src/media/g711.ts';

// The digital milliwatt (ITU-T G.711 Tables 5 and 6): a 1 kHz sine at 0 dBm0, the 8-octet
// sequence every G.711 implementation must reproduce.
const ULAW_MILLIWATT = [0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e];
const ALAW_MILLIWATT = [0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4];

describe('G.711 µ-law (PCMU)', () => {
  test('decodes the end points and zero of the recommendation', () => {
    assert.equal(decodeUlawSample(0xff), 0);
    assert.equal(decodeUlawSample(0x7f), 0);
    assert.equal(decodeUlawSample(0x80), 32124);
    assert.equal(decodeUlawSample(0x00), -32124);
    assert.equal(decodeUlawSample(0xf0), 120); // segment 0, steps of 8
  });

  test('encodes silence as 0xFF and clips full scale to the last code', () => {
    assert.equal(encodeUlawSample(0), 0xff);
    assert.equal(g711Silence('PCMU'), 0xff);
    assert.equal(encodeUlawSample(32767), 0x80);
    assert.equal(encodeUlawSample(-32768), 0x00);
  });

  test('every code survives decode then encode (negative zero becomes positive zero)', () => {
    for (let code = 0; code < 256; code++) {
      const expected = code === 0x7f ? 0xff : code;
      assert.equal(encodeUlawSample(decodeUlawSample(code)), expected, `code ${code.toString(16)}`);
    }
  });

  test('the digital milliwatt decodes to a 1 kHz sine and encodes back to itself', () => {
    const pcm = decodeG711('PCMU', Uint8Array.from(ULAW_MILLIWATT));
    assert.deepEqual([...pcm], [-8828, -20860, -20860, -8828, 8828, 20860, 20860, 8828]);
    // sin(3π/8) / sin(π/8) = 2.414: the samples lie on a sine sampled at 8 kHz.
    assert.ok(
      Math.abs((pcm[1] ?? 0) / (pcm[0] ?? 1) - 2.414) < 0.1,
      `ratio ${(pcm[1] ?? 0) / (pcm[0] ?? 1)}`,
    );
    assert.deepEqual([...encodeG711('PCMU', pcm)], ULAW_MILLIWATT);
  });

  test('encoding is monotonic: a larger sample never gets a smaller magnitude', () => {
    let previous = Number.NEGATIVE_INFINITY;
    for (let sample = -32768; sample <= 32767; sample += 7) {
      const value = decodeUlawSample(encodeUlawSample(sample));
      assert.ok(value >= previous, `µ-law not monotonic at ${sample}`);
      previous = value;
    }
  });
});

describe('G.711 A-law (PCMA)', () => {
  test('decodes the end points and the smallest steps of the recommendation', () => {
    assert.equal(decodeAlawSample(0xd5), 8);
    assert.equal(decodeAlawSample(0x55), -8);
    assert.equal(decodeAlawSample(0xaa), 32256);
    assert.equal(decodeAlawSample(0x2a), -32256);
  });

  test('encodes zero as 0xD5 and clips full scale to the last code', () => {
    assert.equal(encodeAlawSample(0), 0xd5);
    assert.equal(g711Silence('PCMA'), 0xd5);
    assert.equal(encodeAlawSample(32767), 0xaa);
    assert.equal(encodeAlawSample(-32768), 0x2a);
  });

  test('every code survives decode then encode', () => {
    for (let code = 0; code < 256; code++) {
      assert.equal(encodeAlawSample(decodeAlawSample(code)), code, `code ${code.toString(16)}`);
    }
  });

  test('the digital milliwatt decodes to a 1 kHz sine and encodes back to itself', () => {
    const pcm = decodeG711('PCMA', Uint8Array.from(ALAW_MILLIWATT));
    assert.deepEqual([...pcm], [-8960, -20992, -20992, -8960, 8960, 20992, 20992, 8960]);
    assert.deepEqual([...encodeG711('PCMA', pcm)], ALAW_MILLIWATT);
  });

  test('quantisation error stays within half a step of each segment', () => {
    for (let sample = -32000; sample <= 32000; sample += 13) {
      const back = decodeAlawSample(encodeAlawSample(sample));
      const step = Math.max(16, 2 ** (Math.floor(Math.log2(Math.max(Math.abs(sample), 1))) - 4));
      assert.ok(Math.abs(back - sample) <= step, `A-law ${sample} → ${back} (step ${step})`);
    }
  });
});

test('frame helpers write into a given buffer and leave the rest alone', () => {
  const out = new Uint8Array(4).fill(0x42);
  encodeG711('PCMU', Int16Array.from([0, 0]), out);
  assert.deepEqual([...out], [0xff, 0xff, 0x42, 0x42]);
  const pcm = decodeG711('PCMA', Uint8Array.from([0xd5, 0x55]));
  assert.deepEqual([...pcm], [8, -8]);
});
