/** Deterministic 8 kHz test signals built in code (no external tools): tones, syllables, noise. */

const RATE = 8000;

/** `ms` of a sine at `hz`, peak `amplitude`. */
export function tone(hz: number, ms: number, amplitude = 8000): Float64Array {
  const n = Math.round((ms * RATE) / 1000);
  return Float64Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
}

/** `ms` of digital silence. */
export function silence(ms: number): Float64Array {
  return new Float64Array(Math.round((ms * RATE) / 1000));
}

/**
 * Speech-like sound: syllables of a voiced buzz (pitch 120–180 Hz and eight harmonics, so no
 * single frequency dominates as in a tone) with a smooth envelope, separated by short gaps.
 */
export function syllables(count: number, syllableMs = 220, gapMs = 70, amplitude = 3000): Float64Array {
  const parts: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    const pitch = 120 + ((s * 37) % 60);
    const n = Math.round((syllableMs * RATE) / 1000);
    const syllable = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const envelope = Math.sin((Math.PI * i) / n) ** 0.5;
      let v = 0;
      for (let h = 1; h <= 8; h++) v += Math.sin((2 * Math.PI * pitch * h * i) / RATE + h) / h ** 0.5;
      syllable[i] = (amplitude / 2) * envelope * v;
    }
    parts.push(syllable);
    if (s < count - 1) parts.push(silence(gapMs));
  }
  return concat(...parts);
}

/** Pieces one after another. */
export function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Adds white noise of RMS `level` (seeded, so every run hears the same noise). */
export function withNoise(signal: Float64Array, level: number, seed = 1): Float64Array {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return signal.map((v) => {
    // Box–Muller: gaussian noise
    const g = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
    return v + level * g;
  });
}

/** To 16-bit samples, clipped. */
export function pcm(signal: Float64Array): Int16Array {
  return Int16Array.from(signal, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
}
