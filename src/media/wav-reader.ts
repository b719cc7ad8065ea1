import { decodeAlaw, decodeMulaw } from './g711.ts';
import { WavFormatError } from './wav-format-error.ts';

/** What a WAV file held, decoded to 16-bit linear PCM at the file's own rate. */
export interface WavAudio {
  sampleRate: number;
  samples: Int16Array;
  /** The encoding found in the file. */
  encoding: 'pcm16' | 'mulaw' | 'alaw';
}

/** Limits for reading untrusted files. */
export interface WavReadOptions {
  /** Files larger than this are refused before decoding (bytes). Default 50 MiB. */
  maxBytes?: number;
}

/** Default size limit: about 50 minutes of 8 kHz 16-bit audio, far above any greeting or prompt. */
export const DEFAULT_MAX_WAV_BYTES = 50 * 1024 * 1024;

const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

// Names of the format tags people actually meet, so the error says what the file is.
const FORMAT_NAMES: Record<number, string> = {
  1: 'PCM',
  2: 'Microsoft ADPCM',
  3: 'IEEE float',
  6: 'G.711 A-law',
  7: 'G.711 µ-law',
  17: 'IMA ADPCM',
  34: 'TrueSpeech',
  49: 'GSM 6.10',
  64: 'G.721 ADPCM',
  80: 'MPEG',
  85: 'MPEG Layer 3',
  100: 'G.726 ADPCM',
  101: 'G.722 ADPCM',
  255: 'AAC',
  353: 'Windows Media Audio',
  5648: 'MPEG-4 AAC',
};

const ACCEPTED = 'use PCM 16-bit mono or G.711 (µ-law/A-law) mono';

/** The name of a WAV format tag, e.g. `85 (MPEG Layer 3)`. */
function formatName(tag: number): string {
  const name = FORMAT_NAMES[tag];
  return name ? `${tag} (${name})` : `${tag}`;
}

/** What a file that is not RIFF/WAVE looks like, from its first bytes. */
function sniff(bytes: Uint8Array): string {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'an MP3 file';
  if (ascii(0, 4) === 'OggS') return 'an Ogg file';
  if (ascii(0, 4) === 'fLaC') return 'a FLAC file';
  if (ascii(4, 8) === 'ftyp') return 'an MP4/M4A file';
  if (ascii(0, 4) === 'RIFF') return `a RIFF file of type '${ascii(8, 12)}'`;
  if (ascii(0, 4) === 'FORM') return 'an AIFF file';
  if (bytes.length < 12) return `${bytes.length} bytes, too short for a WAV header`;
  const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unknown content starting with bytes ${head}`;
}

/**
 * Reads a RIFF/WAVE file: PCM 16-bit, G.711 µ-law (format 7) or A-law (format 6), mono, at any
 * sample rate (WAVE_FORMAT_EXTENSIBLE wrapping one of those too). Anything else throws a
 * WavFormatError naming the format found.
 */
export function readWav(file: Uint8Array, options: WavReadOptions = {}): WavAudio {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_WAV_BYTES;
  if (file.length > maxBytes)
    throw new WavFormatError('too_large', `the file is ${file.length} bytes; the limit is ${maxBytes} bytes`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag4 = (at: number) => String.fromCharCode(...file.subarray(at, at + 4));
  if (file.length < 12 || tag4(0) !== 'RIFF' || tag4(8) !== 'WAVE')
    throw new WavFormatError('not_wav', `not a WAV file (found ${sniff(file)}); ${ACCEPTED}`);

  let format: { tag: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= file.length; ) {
    const id = tag4(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > file.length)
        throw new WavFormatError('truncated', 'the WAV fmt chunk is shorter than 16 bytes');
      let tag = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (tag === FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= file.length)
        tag = view.getUint16(body + 24, true);
      format = {
        tag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      // A streamed WAV may carry a data size of 0 or 0xFFFFFFFF: take what the file holds.
      const end = size === 0 || body + size > file.length ? file.length : body + size;
      data = file.subarray(body, end);
      if (format) break;
    }
    at = body + size + (size % 2); // chunks are word-aligned
  }
  if (!format) throw new WavFormatError('truncated', 'the WAV file has no fmt chunk');
  if (!data) throw new WavFormatError('truncated', 'the WAV file has no data chunk');
  const { tag, channels, sampleRate, bits } = format;
  if (tag !== FORMAT_PCM && tag !== FORMAT_MULAW && tag !== FORMAT_ALAW)
    throw new WavFormatError(
      'unsupported_format',
      `WAV format ${formatName(tag)} is not supported; ${ACCEPTED}`,
      tag,
    );
  if (channels !== 1)
    throw new WavFormatError('unsupported_layout', `the WAV file has ${channels} channels; ${ACCEPTED}`, tag);
  if (sampleRate < 4000 || sampleRate > 192000)
    throw new WavFormatError(
      'unsupported_layout',
      `a sample rate of ${sampleRate} Hz is not supported (4000–192000)`,
      tag,
    );
  if (tag === FORMAT_PCM) {
    if (bits !== 16)
      throw new WavFormatError(
        'unsupported_layout',
        `WAV PCM with ${bits} bits per sample is not supported; ${ACCEPTED}`,
        tag,
      );
    const samples = new Int16Array(Math.floor(data.length / 2));
    const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < samples.length; i++) samples[i] = dataView.getInt16(i * 2, true);
    return { sampleRate, samples, encoding: 'pcm16' };
  }
  if (bits !== 8)
    throw new WavFormatError(
      'unsupported_layout',
      `G.711 WAV with ${bits} bits per sample (expected 8)`,
      tag,
    );
  return tag === FORMAT_MULAW
    ? { sampleRate, samples: decodeMulaw(data), encoding: 'mulaw' }
    : { sampleRate, samples: decodeAlaw(data), encoding: 'alaw' };
}
