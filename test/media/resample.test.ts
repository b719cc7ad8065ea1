import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goertzelPower } from '../../src/media/goertzel.ts';
import { resample } from '../../src/media/resample.ts';

function sine(hz: number, rate: number, seconds: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: rate * seconds }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

/** Amplitude of `hz` in the middle second-and-a-bit of an 8 kHz signal (edges skipped). */
function amplitudeAt(samples: Int16Array, hz: number): number {
  const from = 800;
  const length = 8000;
  return (2 * Math.sqrt(goertzelPower(samples, hz, 8000, from, length))) / length;
}

test('speech-band tones keep their frequency and level from 16, 44.1 and 48 kHz to 8 kHz', () => {
  for (const rate of [16000, 44100, 48000, 11025]) {
    for (const hz of [300, 1000, 3000]) {
      const input = sine(hz, rate, 1.5);
      const out = resample(input, rate, 8000);
      assert.equal(out.length, Math.floor((input.length * 8000) / rate));
      const amplitude = amplitudeAt(out, hz);
      assert.ok(
        Math.abs(amplitude - 10000) < 200,
        `${rate} Hz → 8 kHz: ${hz} Hz came out at ${amplitude.toFixed(0)}`,
      );
    }
  }
});

test('content above 4 kHz is filtered out instead of folding back (naive decimation would alias it)', () => {
  // 6 kHz at 44.1 kHz would alias to 2 kHz (|6000 - 8000|) if samples were merely dropped.
  for (const [rate, hz, alias] of [
    [44100, 6000, 2000],
    [48000, 5000, 3000],
    [16000, 7000, 1000],
  ] as const) {
    const out = resample(sine(hz, rate, 1.5), rate, 8000);
    const leaked = amplitudeAt(out, alias);
    assert.ok(
      leaked < 10000 / 1000,
      `${hz} Hz from ${rate} Hz leaked ${leaked.toFixed(1)} at ${alias} Hz (> -60 dB)`,
    );
    const naive = Int16Array.from(
      { length: Math.floor((out.length * rate) / 8000 / (rate / 8000)) },
      (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * hz * Math.round((i * rate) / 8000)) / rate)),
    );
    assert.ok(
      amplitudeAt(naive, alias) > 5000,
      'the check itself must see the alias that naive decimation makes',
    );
  }
});

test('the same rate is a copy', () => {
  const input = sine(440, 8000, 1);
  const out = resample(input, 8000, 8000);
  assert.deepEqual(out, input);
  assert.notEqual(out, input);
});
