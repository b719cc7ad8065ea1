import { encodeAlaw, encodeMulaw } from './g711.ts';

/** How `writeWav` stores the samples: PCM 16-bit or G.711 (formats 7 and 6). */
export type WavEncoding = 'pcm16' | 'mulaw' | 'alaw';

/** Writes mono samples as a RIFF/WAVE file (canonical 44-byte header for PCM, 46 for G.711). */
export function writeWav(
  samples: Int16Array,
  sampleRate: number,
  encoding: WavEncoding = 'pcm16',
): Uint8Array {
  const bytesPerSample = encoding === 'pcm16' ? 2 : 1;
  // Non-PCM formats carry cbSize (2 bytes) in fmt, per the WAVEFORMATEX layout.
  const fmtSize = encoding === 'pcm16' ? 16 : 18;
  const dataSize = samples.length * bytesPerSample;
  const headerSize = 12 + 8 + fmtSize + 8;
  const out = new Uint8Array(headerSize + dataSize + (dataSize % 2));
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, encoding === 'pcm16' ? 1 : encoding === 'mulaw' ? 7 : 6, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  if (fmtSize === 18) view.setUint16(36, 0, true);
  const data = 20 + fmtSize;
  ascii(data, 'data');
  view.setUint32(data + 4, dataSize, true);
  if (encoding === 'pcm16') {
    for (let i = 0; i < samples.length; i++) view.setInt16(data + 8 + i * 2, samples[i] ?? 0, true);
  } else {
    out.set(encoding === 'mulaw' ? encodeMulaw(samples) : encodeAlaw(samples), data + 8);
  }
  return out;
}
