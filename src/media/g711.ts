/**
 * G.711 (ITU-T G.711, 1988) µ-law and A-law companding: RTP's PCMU (payload type 0) and PCMA (8)
 * (RFC 3551 §4.5.14) and WAV formats 7 and 6. The one copy: the RTP stack and the WAV reader and
 * writer use it. Every conversion is a table lookup: the tables are built once from the segment
 * formulas of the recommendation, so encoding a 20 ms frame costs 160 array reads — at 500 legs
 * that is what keeps the sender inside its 20 ms tick.
 */

/** The codecs of RFC 3551 this endpoint speaks. */
export type G711Codec = 'PCMU' | 'PCMA';

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

/** µ-law code of a 16-bit sample, from the formula (used to fill the table). */
function ulawFromFormula(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(sample < 0 ? -sample : sample, ULAW_CLIP) + ULAW_BIAS;
  let exponent = 7;
  // The segment is the position of the highest set bit above the 8 lowest.
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}

/** Linear value of a µ-law code, from the formula. */
function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const value = ((((u & 0x0f) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -value : value;
}

/** A-law code of a 16-bit sample, from the formula (13-bit magnitude, even bits inverted). */
function alawFromFormula(sample: number): number {
  let value = sample >> 3;
  let mask = 0xd5;
  if (value < 0) {
    mask = 0x55;
    value = -value - 1;
  }
  if (value > 0xfff) value = 0xfff;
  let code: number;
  if (value < 32) code = value >> 1;
  else {
    let segment = 1;
    while (value >= 32 << segment) segment++;
    code = (segment << 4) | ((value >> segment) & 0x0f);
  }
  return code ^ mask;
}

/** Linear value of an A-law code, from the formula. */
function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const value = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? value : -value;
}

// µ-law resolves 14 bits and A-law 13, so the encode tables are indexed by the sample shifted
// right by 2 and 3 (16 KiB and 8 KiB).
const ULAW_ENCODE = new Uint8Array(1 << 14);
const ALAW_ENCODE = new Uint8Array(1 << 13);
const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
for (let i = 0; i < ULAW_ENCODE.length; i++) ULAW_ENCODE[i] = ulawFromFormula(((i << 18) >> 16) | 2);
for (let i = 0; i < ALAW_ENCODE.length; i++) ALAW_ENCODE[i] = alawFromFormula(((i << 19) >> 16) | 4);
for (let i = 0; i < 256; i++) {
  ULAW_DECODE[i] = ulawToLinear(i);
  ALAW_DECODE[i] = alawToLinear(i);
}

/** The µ-law code of one 16-bit linear sample. */
export function encodeUlawSample(sample: number): number {
  return ULAW_ENCODE[(sample >> 2) & 0x3fff] ?? 0xff;
}

/** The 16-bit linear sample of one µ-law code. */
export function decodeUlawSample(code: number): number {
  return ULAW_DECODE[code & 0xff] ?? 0;
}

/** The A-law code of one 16-bit linear sample. */
export function encodeAlawSample(sample: number): number {
  return ALAW_ENCODE[(sample >> 3) & 0x1fff] ?? 0xd5;
}

/** The 16-bit linear sample of one A-law code. */
export function decodeAlawSample(code: number): number {
  return ALAW_DECODE[code & 0xff] ?? 0;
}

/** Encodes `pcm` into `out` (a new buffer of the same length when omitted). */
export function encodeG711(codec: G711Codec, pcm: Int16Array, out = new Uint8Array(pcm.length)): Uint8Array {
  const table = codec === 'PCMU' ? ULAW_ENCODE : ALAW_ENCODE;
  const shift = codec === 'PCMU' ? 2 : 3;
  const mask = table.length - 1;
  const n = Math.min(pcm.length, out.length);
  for (let i = 0; i < n; i++) out[i] = table[((pcm[i] ?? 0) >> shift) & mask] ?? 0;
  return out;
}

/** Decodes `codes` into `out` (a new Int16Array of the same length when omitted). */
export function decodeG711(
  codec: G711Codec,
  codes: Uint8Array,
  out = new Int16Array(codes.length),
): Int16Array {
  const table = codec === 'PCMU' ? ULAW_DECODE : ALAW_DECODE;
  const n = Math.min(codes.length, out.length);
  for (let i = 0; i < n; i++) out[i] = table[codes[i] ?? 0] ?? 0;
  return out;
}

/** The code of silence (linear 0) in `codec`: what fills a frame when there is nothing to send. */
export function g711Silence(codec: G711Codec): number {
  return codec === 'PCMU' ? 0xff : 0xd5;
}

/** Decodes µ-law bytes (G.711 PCMU, WAV format 7) to 16-bit linear samples. */
export function decodeMulaw(bytes: Uint8Array): Int16Array {
  return decodeG711('PCMU', bytes);
}

/** Decodes A-law bytes (G.711 PCMA, WAV format 6) to 16-bit linear samples. */
export function decodeAlaw(bytes: Uint8Array): Int16Array {
  return decodeG711('PCMA', bytes);
}

/** Encodes 16-bit linear samples as µ-law bytes. */
export function encodeMulaw(samples: Int16Array): Uint8Array {
  return encodeG711('PCMU', samples);
}

/** Encodes 16-bit linear samples as A-law bytes. */
export function encodeAlaw(samples: Int16Array): Uint8Array {
  return encodeG711('PCMA', samples);
}
