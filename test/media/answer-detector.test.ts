import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveAnswerDetectionSettings } from '../../src/media/answer-detection-settings.ts';
import { AnswerDetector } from '../../src/media/answer-detector.ts';
import { detectAnswer } from '../../src/media/detect-answer.ts';
import { concat, pcm, silence, syllables, tone, withNoise } from './synthetic-audio.ts';

const hello = () => syllables(2, 220, 60); // ≈ 0.5 s, like "Hello?"
const greeting = () => syllables(4, 260, 40).map((v) => v); // one breath of a recorded greeting

describe('answer detection on synthetic audio (rules, timing from samples)', () => {
  test('a short greeting followed by silence is a person, decided after afterGreetingSilenceMs', () => {
    const audio = pcm(concat(silence(400), hello(), silence(3000)));
    const result = detectAnswer(audio);
    assert.equal(result.verdict, 'human');
    assert.equal(result.features.reason, 'after_greeting_silence');
    // 400 ms of silence + ≈ 500 ms of speech + 800 ms of silence, to a frame or two.
    assert.ok(Math.abs(result.decidedAtMs - 1700) <= 60, `decided at ${result.decidedAtMs} ms`);
    assert.ok(
      Math.abs(result.features.initialSilenceMs - 400) <= 40,
      `initial ${result.features.initialSilenceMs}`,
    );
    assert.equal(result.beepAtMs, null);
  });

  test('a long greeting is a machine, and the beep after it gives beepAtMs at the end of the tone', () => {
    const audio = pcm(
      concat(silence(300), greeting(), greeting(), greeting(), silence(400), tone(1000, 500), silence(1500)),
    );
    const result = detectAnswer(audio);
    assert.equal(result.verdict, 'machine');
    assert.ok(['long_greeting', 'max_words'].includes(result.features.reason), result.features.reason);
    const toneEnd = 300 + (3 * greeting().length) / 8 + 400 + 500;
    assert.ok(
      result.beepAtMs !== null && Math.abs(result.beepAtMs - toneEnd) <= 40,
      `beep at ${result.beepAtMs}, tone ended ${toneEnd}`,
    );
    assert.equal(result.features.beep?.frequencyHz, 1000);
    assert.ok(result.decidedAtMs < (result.beepAtMs ?? 0), 'the verdict comes before the beep');
  });

  test('greetingMs and maxWords are what decide, so tuning them moves the verdict', () => {
    const audio = pcm(concat(silence(200), syllables(5, 200, 120), silence(2000)));
    assert.equal(detectAnswer(audio).verdict, 'machine');
    assert.equal(detectAnswer(audio, { maxWords: 10, greetingMs: 3000 }).verdict, 'human');
  });

  test('nothing said within initialSilenceMs is silence, even on a noisy line', () => {
    const result = detectAnswer(pcm(withNoise(silence(5000), 400)));
    assert.equal(result.verdict, 'silence');
    assert.equal(result.decidedAtMs, 2500);
    assert.ok(result.features.noiseFloorRms > 200, `floor ${result.features.noiseFloorRms}`);
  });

  test('speech over noise at 10 dB SNR is still found', () => {
    const speech = concat(silence(500), hello(), silence(3000));
    const result = detectAnswer(pcm(withNoise(speech, 3000 / 2 / Math.SQRT2 / 3.16)));
    assert.equal(result.verdict, 'human');
  });

  test('fax CNG (1100 Hz) and CED (2100 Hz) give fax', () => {
    const cng = detectAnswer(pcm(concat(silence(300), tone(1100, 500), silence(3000), tone(1100, 500))));
    assert.equal(cng.verdict, 'fax');
    assert.equal(cng.features.reason, 'fax_cng');
    assert.ok(cng.decidedAtMs <= 800, `CNG decided at ${cng.decidedAtMs}`);
    const ced = detectAnswer(pcm(concat(silence(200), tone(2100, 3000, 6000))));
    assert.equal(ced.verdict, 'fax');
    assert.equal(ced.features.faxTone?.tone, 'ced');
  });

  test('a short greeting with the beep soon after is a machine decided by the beep', () => {
    const audio = pcm(
      concat(silence(300), syllables(2, 220, 60), silence(300), tone(1400, 300), silence(2000)),
    );
    const result = detectAnswer(audio);
    assert.equal(result.verdict, 'machine');
    assert.equal(result.features.reason, 'beep');
    // One frame after the tone's end: the frame that shows it ended.
    assert.equal(result.decidedAtMs - (result.beepAtMs ?? 0), 20);
    assert.ok(Math.abs((result.beepAtMs ?? 0) - 1400) <= 40, `beep at ${result.beepAtMs}`);
  });

  test('an 1100 Hz beep after a short greeting is a machine with its beep, not a fax', () => {
    const audio = pcm(
      concat(silence(300), syllables(3, 220, 60), silence(500), tone(1100, 900), silence(1500)),
    );
    const result = detectAnswer(audio);
    assert.equal(result.verdict, 'machine');
    assert.equal(result.features.beep?.frequencyHz, 1100);
    assert.ok(
      result.beepAtMs !== null && Math.abs(result.beepAtMs - 2480) <= 40,
      `beep at ${result.beepAtMs}`,
    );
  });

  test('the three SIT segments give invalid_number with the frequencies heard', () => {
    for (const [a, b] of [
      [913.8, 1370.6],
      [985.2, 1428.5],
    ] as const) {
      const sit = concat(
        silence(250),
        tone(a, 274),
        tone(b, 274),
        tone(1776.7, 380),
        silence(500),
        syllables(8),
      );
      const result = detectAnswer(pcm(withNoise(sit, 300)));
      assert.equal(result.verdict, 'invalid_number');
      assert.deepEqual(result.features.sit?.frequenciesHz, [a, b, 1776.7]);
    }
    // Two of the three tones are not a SIT.
    const partial = detectAnswer(
      pcm(concat(silence(250), tone(913.8, 274), tone(1370.6, 274), silence(4000))),
    );
    assert.notEqual(partial.verdict, 'invalid_number');
  });

  test('no rule deciding within totalAnalysisMs gives unknown', () => {
    // Speech that pauses just under afterGreetingSilenceMs between short words, never long.
    const parts = [silence(200)];
    for (let i = 0; i < 12; i++) parts.push(syllables(1, 150), silence(700));
    const result = detectAnswer(pcm(concat(...parts)), { maxWords: 50, greetingMs: 10000 });
    assert.equal(result.verdict, 'unknown');
    assert.equal(result.features.reason, 'total_analysis_time');
    assert.equal(result.decidedAtMs, 5000);
  });
});

describe('AnswerDetector streaming', () => {
  test('chunks of any size give the same verdict at the same instant as 20 ms frames', () => {
    const audio = pcm(
      concat(silence(300), greeting(), greeting(), silence(300), tone(800, 400), silence(1000)),
    );
    const whole = detectAnswer(audio);
    const detector = new AnswerDetector();
    const events = [];
    let at = 0;
    for (const size of [1, 7, 160, 333, 80, 1000, 3]) {
      while (at < audio.length && detector.listening) {
        events.push(...detector.push(audio.subarray(at, at + size)));
        at += size;
        if (at > audio.length / 2) break;
      }
    }
    while (at < audio.length && detector.listening) {
      events.push(...detector.push(audio.subarray(at, at + 55)));
      at += 55;
    }
    assert.deepEqual(
      events.map((e) => e.kind),
      ['verdict', 'beep'],
    );
    const verdict = events[0];
    assert.ok(verdict?.kind === 'verdict');
    assert.equal(verdict.detection.decidedAtMs, whole.decidedAtMs);
    assert.equal(detector.detection?.beepAtMs, whole.beepAtMs);
    assert.equal(detector.listening, false, 'after the beep nothing more is needed');
  });

  test('a human verdict stops listening; a machine waits for the beep up to beepTimeoutMs', () => {
    const human = new AnswerDetector();
    human.push(pcm(concat(silence(200), hello(), silence(1000))));
    assert.equal(human.detection?.verdict, 'human');
    assert.equal(human.listening, false);
    const machine = new AnswerDetector({ beepTimeoutMs: 1000 });
    machine.push(pcm(concat(silence(200), greeting(), greeting())));
    assert.equal(machine.detection?.verdict, 'machine');
    assert.equal(machine.listening, true);
    machine.push(pcm(silence(1000)));
    assert.equal(machine.listening, false, 'no beep within beepTimeoutMs: done');
    assert.equal(machine.finish().beepAtMs, null);
  });
});

describe('resolveAnswerDetectionSettings', () => {
  test('overrides within bounds are applied; every bad one is reported', () => {
    const ok = resolveAnswerDetectionSettings({ greetingMs: 2000, maxWords: 4 });
    assert.ok('settings' in ok, 'valid overrides are accepted');
    assert.equal(ok.settings.greetingMs, 2000);
    assert.equal(ok.settings.initialSilenceMs, 2500);
    const bad = resolveAnswerDetectionSettings({ greetingMs: 1.5, maxWords: 0, colour: 3 } as never);
    assert.ok('errors' in bad, 'invalid overrides are refused');
    assert.deepEqual(
      bad.errors.map((e) => e.setting),
      ['greetingMs', 'maxWords', 'colour'],
    );
    assert.match(bad.errors[0]?.detail ?? '', /greetingMs must be an integer from 100 to 60000/);
  });
});
