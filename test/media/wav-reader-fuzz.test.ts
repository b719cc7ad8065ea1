import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WavFormatError } from '../../src/media/wav-format-error.ts';
import { readWav } from '../../src/media/wav-reader.ts';
import { writeWav } from '../../src/media/wav-writer.ts';

/*
 * Uploaded prompts and recordings are untrusted: whatever the bytes, readWav returns audio or
 * throws a WavFormatError (mapped to a 4xx or a CLI message), never anything else, and never
 * loops or allocates beyond the file.
 */

function onlyWavErrors(bytes: Uint8Array): void {
  try {
    const wav = readWav(bytes, { maxBytes: 1 << 20 });
    assert.ok(wav.samples.length <= bytes.length, 'more samples than bytes');
  } catch (error) {
    if (!(error instanceof WavFormatError)) throw error;
  }
}

const valid = [
  writeWav(
    Int16Array.from({ length: 64 }, (_, i) => i * 300 - 9000),
    8000,
  ),
  writeWav(
    Int16Array.from({ length: 64 }, (_, i) => i * 300 - 9000),
    16000,
    'mulaw',
  ),
  writeWav(
    Int16Array.from({ length: 63 }, (_, i) => i * 300 - 9000),
    44100,
    'alaw',
  ),
];

test('random bytes behind a RIFF/WAVE header: audio or a WavFormatError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
      const file = new Uint8Array(12 + tail.length);
      file.set([...'RIFF\0\0\0\0WAVE'].map((c) => c.charCodeAt(0)));
      file.set(tail, 12);
      onlyWavErrors(file);
    }),
    { seed: 16, numRuns: 3000 },
  );
});

test('valid files with bytes overwritten or cut short: audio or a WavFormatError', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...valid),
      fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(220),
      (base, edits, cut) => {
        const file = base.slice(0, Math.max(0, base.length - cut));
        for (const [at, value] of edits) if (at < file.length) file[at] = value;
        onlyWavErrors(file);
      },
    ),
    { seed: 16, numRuns: 3000 },
  );
});

test('WAVE_FORMAT_EXTENSIBLE carrying PCM is read like PCM', () => {
  const samples = Int16Array.from([1, -2, 300, -400]);
  const plain = writeWav(samples, 8000);
  // fmt grows from 16 to 40 bytes: tag 0xFFFE, cbSize 22, valid bits, channel mask, sub-format GUID.
  const file = new Uint8Array(plain.length + 24);
  file.set(plain.subarray(0, 36));
  const view = new DataView(file.buffer);
  view.setUint32(4, file.length - 8, true);
  view.setUint32(16, 40, true);
  view.setUint16(20, 0xfffe, true);
  view.setUint16(36, 22, true);
  view.setUint16(38, 16, true);
  view.setUint32(40, 4, true);
  view.setUint16(44, 1, true); // the GUID's first two bytes: KSDATAFORMAT_SUBTYPE_PCM
  file.set(plain.subarray(36), 60);
  assert.deepEqual(readWav(file).samples, samples);
});
