import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { resample } from '../../src/media/resample.ts';
import { writeWav } from '../../src/media/wav-writer.ts';
import { concat, pcm, silence, syllables, tone, withNoise } from '../media/synthetic-audio.ts';
import { runCli } from './run-cli.ts';

/*
 * `pconn amd FILE [--json]` on recordings written by the test (no external tools): the verdict
 * as one JSON object or as text, thresholds as flags, and bad files refused on stderr with a
 * non-zero exit code and nothing on stdout.
 */

const dir = mkdtempSync(join(tmpdir(), 'pconn-amd-'));
const files = {
  human: join(dir, 'hello-44k.wav'),
  machine: join(dir, 'voicemail-mulaw.wav'),
  sit: join(dir, 'sit.wav'),
  mp3: join(dir, 'greeting.wav'),
};

before(() => {
  // A person at 44.1 kHz (resampled by the command), a machine as G.711 µ-law, a SIT as A-law.
  const hello = pcm(withNoise(concat(silence(500), syllables(2, 220, 60), silence(3000)), 150));
  writeFileSync(files.human, writeWav(resample(hello, 8000, 44100), 44100));
  const greeting = concat(silence(300), syllables(12, 260, 60), silence(400), tone(1000, 500), silence(1000));
  writeFileSync(files.machine, writeWav(pcm(greeting), 8000, 'mulaw'));
  const sit = concat(silence(200), tone(913.8, 274), tone(1370.6, 274), tone(1776.7, 380), silence(1000));
  writeFileSync(files.sit, writeWav(pcm(sit), 8000, 'alaw'));
  // An MP3 in a WAV container (format tag 85), as some recorders write.
  const mp3 = writeWav(pcm(silence(100)), 8000);
  new DataView(mp3.buffer).setUint16(20, 85, true);
  writeFileSync(files.mp3, mp3);
});

describe('pconn amd', () => {
  test('--json prints exactly one JSON object with the verdict, its instant, the beep and the features', async () => {
    const [human, machine] = await Promise.all([
      runCli(['amd', files.human, '--json']),
      runCli(['amd', files.machine, '--json']),
    ]);
    assert.equal(human.code, 0, human.stderr);
    const h = JSON.parse(human.stdout);
    assert.deepEqual(Object.keys(h), ['verdict', 'decidedAtMs', 'beepAtMs', 'features']);
    assert.equal(h.verdict, 'human');
    assert.ok(h.decidedAtMs > 1500 && h.decidedAtMs < 2200, `decided at ${h.decidedAtMs}`);
    assert.equal(h.beepAtMs, null);
    assert.equal(h.features.reason, 'after_greeting_silence');
    assert.equal(human.stderr, '');

    assert.equal(machine.code, 0, machine.stderr);
    const m = JSON.parse(machine.stdout);
    assert.equal(m.verdict, 'machine');
    assert.equal(typeof m.beepAtMs, 'number');
    assert.equal(m.features.beep.frequencyHz, 1000);
  });

  test('text output by default; SIT is reported as invalid_number', async () => {
    const result = await runCli(['amd', files.sit]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /: invalid_number \(sit\) at \d\.\d\d s after answer/);
    assert.match(result.stdout, /special information tones: 913\.8 \/ 1370\.6 \/ 1776\.7 Hz/);
    assert.match(result.stdout, /alaw at 8000 Hz/);
  });

  test('thresholds are flags: a greeting the defaults call a machine is a person with looser ones', async () => {
    const tuned = await runCli([
      'amd',
      files.machine,
      '--json',
      '--greeting-ms',
      '20000',
      '--max-words',
      '100',
      '--after-greeting-silence-ms',
      '300',
    ]);
    assert.equal(tuned.code, 0, tuned.stderr);
    assert.equal(JSON.parse(tuned.stdout).verdict, 'human');
  });

  test('bad files and flags: a clear error on stderr, exit code 2, nothing on stdout', async () => {
    const [mp3, missing, badFlag, outOfRange, tooBig, json] = await Promise.all([
      runCli(['amd', files.mp3]),
      runCli(['amd', join(dir, 'nope.wav')]),
      runCli(['amd', files.human, '--max-words', 'many']),
      runCli(['amd', files.human, '--greeting-ms', '5']),
      runCli(['amd', files.human, '--max-bytes', '1000']),
      runCli(['amd', files.mp3, '--json']),
    ]);
    for (const result of [mp3, missing, badFlag, outOfRange, tooBig, json]) {
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.match(
      mp3.stderr,
      /WAV format 85 \(MPEG Layer 3\) is not supported; use PCM 16-bit mono or G\.711/,
    );
    assert.match(missing.stderr, /nope\.wav: no such file/);
    assert.match(badFlag.stderr, /--max-words must be a whole number, not 'many'/);
    assert.match(outOfRange.stderr, /--greeting-ms must be an integer from 100 to 60000/);
    assert.match(tooBig.stderr, /the limit is 1000 bytes/);
    assert.match(JSON.parse(json.stderr).detail, /MPEG Layer 3/);
  });
});
