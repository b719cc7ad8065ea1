/**
 * G.711 (ITU-T G.711) µ-law and A-law: 8-bit companded samples to and from 16-bit linear PCM.
 * Table-driven decode (256 entries each); encode by the segment search the standard defines.
 * The RTP library has its own copy for the wire; this one serves WAV files (formats 7 and 6),
 * and the two are folded when both land.
 */

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

function decodeMulawByte(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return sign ? -magnitude : magnitude;
}

function decodeAlawByte(byte: number): number {
  const a = byte ^ 0x55;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return sign ? magnitude : -magnitude;
}

const MULAW_TABLE = Int16Array.from({ length: 256 }, (_, byte) => decodeMulawByte(byte));
const ALAW_TABLE = Int16Array.from({ length: 256 }, (_, byte) => decodeAlawByte(byte));

/** Decodes µ-law bytes (G.711 PCMU) to 16-bit linear samples. */
export function decodeMulaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = MULAW_TABLE[bytes[i] ?? 0] ?? 0;
  return out;
}

/** Decodes A-law bytes (G.711 PCMA) to 16-bit linear samples. */
export function decodeAlaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ALAW_TABLE[bytes[i] ?? 0] ?? 0;
  return out;
}

function encodeMulawSample(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), MULAW_CLIP) + MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}

function encodeAlawSample(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(sample >= 0 ? sample : -sample - 1, 32767) >> 3;
  let byte: number;
  if (magnitude < 32) byte = magnitude >> 1;
  else {
    let exponent = 1;
    while (magnitude >> (exponent + 5) > 0 && exponent < 7) exponent++;
    byte = (exponent << 4) | ((magnitude >> exponent) & 0x0f);
  }
  return (sign | byte) ^ 0x55;
}

/** Encodes 16-bit linear samples as µ-law bytes (G.711 PCMU). */
export function encodeMulaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeMulawSample(samples[i] ?? 0);
  return out;
}

/** Encodes 16-bit linear samples as A-law bytes (G.711 PCMA). */
export function encodeAlaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeAlawSample(samples[i] ?? 0);
  return out;
}
