import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureFrameTones, SIGNALLING_TONES, TONE_PURITY } from '../../src/media/frame-tones.ts';
import { blockEnergy, goertzelPower } from '../../src/media/goertzel.ts';
import { concat, pcm, silence, syllables, tone, withNoise } from './synthetic-audio.ts';

/**
 * measureFrameTones runs its Goertzel filters side by side in one pass (the per-frame cost of
 * every analysed leg): its figures must be exactly those of one plain Goertzel per frequency.
 */

const RATE = 8000;
const names = Object.keys(SIGNALLING_TONES) as Array<keyof typeof SIGNALLING_TONES>;

/** The purest signalling tone at or above TONE_PURITY, one goertzelPower per tone. */
function referenceSignalling(frame: Int16Array) {
  const energy = blockEnergy(frame);
  if (energy <= 0) return undefined;
  let best = TONE_PURITY;
  let found: (typeof names)[number] | undefined;
  for (const name of names) {
    const purity = (2 * goertzelPower(frame, SIGNALLING_TONES[name], RATE)) / (frame.length * energy);
    if (purity >= best) {
      best = purity;
      found = name;
    }
  }
  return found;
}

/** Every 160-sample frame of speech, tones (signalling and beeps), noise and silence. */
function frames(): Int16Array[] {
  const audio = pcm(
    concat(
      withNoise(syllables(6), 300, 7),
      tone(SIGNALLING_TONES.cng, 300),
      withNoise(tone(SIGNALLING_TONES.sit1Low, 300), 400, 3),
      tone(SIGNALLING_TONES.sit2High, 300, 2000),
      tone(SIGNALLING_TONES.ced, 300),
      withNoise(tone(1000, 300), 800, 5),
      tone(440, 200, 30000),
      silence(100),
      withNoise(silence(300), 500, 9),
    ),
  );
  const out: Int16Array[] = [];
  for (let at = 0; at + 160 <= audio.length; at += 160) out.push(audio.subarray(at, at + 160));
  return out;
}

test('measureFrameTones gives exactly the figures of one Goertzel filter per frequency', () => {
  let tonal = 0;
  let dominant = 0;
  for (const frame of frames()) {
    const measured = measureFrameTones(frame, RATE);
    const energy = blockEnergy(frame);
    assert.equal(measured.power, energy / frame.length);
    assert.equal(measured.signalling, referenceSignalling(frame));
    if (measured.signalling) tonal++;
    if (measured.dominantHz === undefined) {
      assert.equal(measured.dominantPurity, 0);
      continue;
    }
    dominant++;
    const purity = (f: number) => (2 * goertzelPower(frame, f, RATE)) / (frame.length * energy);
    assert.equal(measured.dominantPurity, Math.min(1, purity(measured.dominantHz)));
  }
  assert.ok(tonal >= 40, `${tonal} frames held a signalling tone`);
  assert.ok(dominant >= 60, `${dominant} frames had a dominant frequency`);
});

test('without the signalling tones (after a verdict) the other figures are the same', () => {
  for (const frame of frames()) {
    const full = measureFrameTones(frame, RATE);
    const lean = measureFrameTones(frame, RATE, false);
    assert.equal(lean.signalling, undefined);
    assert.equal(lean.power, full.power);
    assert.equal(lean.dominantHz, full.dominantHz);
    assert.equal(lean.dominantPurity, full.dominantPurity);
  }
});
