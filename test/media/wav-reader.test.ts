import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeForAnalysis } from '../../src/media/read-audio-file.ts';
import { WavFormatError } from '../../src/media/wav-format-error.ts';
import { readWav } from '../../src/media/wav-reader.ts';
import { writeWav } from '../../src/media/wav-writer.ts';
import { pcm, tone } from './synthetic-audio.ts';

/** A WAV header with any format fields, followed by `dataBytes` bytes of data. */
function header(
  fields: { tag: number; channels?: number; rate?: number; bits?: number },
  dataBytes = 16,
): Uint8Array {
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, fields.tag, true);
  view.setUint16(22, fields.channels ?? 1, true);
  view.setUint32(24, fields.rate ?? 8000, true);
  view.setUint16(34, fields.bits ?? 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return out;
}

function refusal(file: Uint8Array, options?: { maxBytes?: number }): WavFormatError {
  try {
    readWav(file, options);
  } catch (error) {
    assert.ok(error instanceof WavFormatError, `expected a WavFormatError, got ${String(error)}`);
    return error;
  }
  assert.fail('the file was accepted');
}

describe('readWav', () => {
  test('PCM 16-bit mono at 8, 16, 44.1 and 48 kHz comes back sample for sample', () => {
    const samples = pcm(tone(440, 50, 12000));
    for (const rate of [8000, 16000, 44100, 48000]) {
      const wav = readWav(writeWav(samples, rate));
      assert.equal(wav.sampleRate, rate);
      assert.equal(wav.encoding, 'pcm16');
      assert.deepEqual(wav.samples, samples);
    }
  });

  test('G.711 µ-law (format 7) and A-law (format 6) WAV files are decoded', () => {
    const samples = pcm(tone(1000, 100, 12000));
    for (const encoding of ['mulaw', 'alaw'] as const) {
      const wav = readWav(writeWav(samples, 8000, encoding));
      assert.equal(wav.encoding, encoding);
      assert.equal(wav.samples.length, samples.length);
      const worst = Math.max(...wav.samples.map((v, i) => Math.abs(v - (samples[i] ?? 0))));
      assert.ok(worst <= 400, `${encoding}: a sample is ${worst} away after the round trip`);
    }
  });

  test('chunks before fmt and data (LIST, fact) are skipped, odd sizes padded', () => {
    const plain = writeWav(pcm(tone(500, 20)), 8000);
    const extra = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]));
    const file = new Uint8Array(plain.length + extra.length);
    file.set(plain.subarray(0, 12));
    file.set(extra, 12);
    file.set(plain.subarray(12), 12 + extra.length);
    assert.deepEqual(readWav(file).samples, readWav(plain).samples);
  });

  test('other formats are refused naming the format found and what is accepted', () => {
    const mp3 = refusal(header({ tag: 85 }));
    assert.equal(mp3.reason, 'unsupported_format');
    assert.equal(mp3.formatTag, 85);
    assert.equal(
      mp3.message,
      'WAV format 85 (MPEG Layer 3) is not supported; use PCM 16-bit mono or G.711 (µ-law/A-law) mono',
    );
    assert.match(
      refusal(header({ tag: 3, bits: 32 })).message,
      /WAV format 3 \(IEEE float\) is not supported/,
    );
    assert.match(refusal(header({ tag: 2 })).message, /Microsoft ADPCM/);
    assert.match(refusal(header({ tag: 1, channels: 2 })).message, /has 2 channels; use PCM 16-bit mono/);
    assert.match(refusal(header({ tag: 1, bits: 8 })).message, /PCM with 8 bits per sample is not supported/);
  });

  test('files that are not WAV say what they look like', () => {
    const bytes = (text: string) =>
      new Uint8Array([...text].map((c) => c.charCodeAt(0)).concat(new Array(20).fill(0)));
    assert.match(refusal(bytes('ID3\u0004')).message, /^not a WAV file \(found an MP3 file\)/);
    assert.match(refusal(bytes('OggS')).message, /found an Ogg file/);
    assert.match(refusal(bytes('fLaC')).message, /found a FLAC file/);
    assert.match(refusal(new Uint8Array(3)).message, /3 bytes, too short for a WAV header/);
    assert.equal(refusal(bytes('hello')).reason, 'not_wav');
  });

  test('a header without data, or cut short, is refused; the size limit is applied first', () => {
    const full = writeWav(pcm(tone(500, 20)), 8000);
    assert.equal(refusal(full.subarray(0, 30)).reason, 'truncated');
    assert.equal(refusal(full.subarray(0, 36)).reason, 'truncated');
    const big = refusal(full, { maxBytes: 100 });
    assert.equal(big.reason, 'too_large');
    assert.match(big.message, /the limit is 100 bytes/);
  });

  test('decodeForAnalysis resamples any accepted file to 8 kHz once', () => {
    const at44 = pcm(
      tone(1000, 500, 10000).map((_, i) => 10000 * Math.sin((2 * Math.PI * 1000 * i) / 44100)),
    );
    const audio = decodeForAnalysis(writeWav(at44, 44100));
    assert.deepEqual(audio.source, { sampleRate: 44100, encoding: 'pcm16' });
    assert.equal(audio.samples.length, Math.floor((at44.length * 8000) / 44100));
  });
});
