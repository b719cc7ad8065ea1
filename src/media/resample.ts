/**
 * Sample-rate conversion by a polyphase windowed-sinc filter: for output rate L/M of the input
 * (reduced by their gcd) each of the L phases has its own set of taps, computed once. The
 * low-pass cuts at 0.45 of the lower rate (3.6 kHz for 8 kHz out), so decimating 44.1 kHz
 * speech does not fold its 4–20 kHz content back into the telephone band as naive decimation
 * would. Blackman window, 16 zero crossings each side: stop-band below -70 dB.
 */

const ZERO_CROSSINGS = 16;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function blackman(x: number): number {
  // x in [-1, 1]
  const t = (x + 1) / 2;
  return 0.42 - 0.5 * Math.cos(2 * Math.PI * t) + 0.08 * Math.cos(4 * Math.PI * t);
}

/** Resamples mono 16-bit samples from `fromRate` to `toRate` (both integers, in Hz). */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return samples.slice();
  const g = gcd(fromRate, toRate);
  const up = toRate / g; // L
  const down = fromRate / g; // M
  // Cut-off as a fraction of the input rate (cycles per input sample).
  const cutoff = (0.45 * Math.min(fromRate, toRate)) / fromRate;
  const halfWidth = Math.ceil(ZERO_CROSSINGS / (2 * cutoff)); // input samples each side
  const taps = 2 * halfWidth;
  // Phase p: the output instant lies p/up of an input sample after input index `base`.
  const table = new Float32Array(up * taps);
  for (let p = 0; p < up; p++) {
    const frac = p / up;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const x = k - halfWidth + 1 - frac; // distance (input samples) from the output instant
      const w = Math.abs(x) >= halfWidth ? 0 : blackman(x / halfWidth);
      const sinc = x === 0 ? 1 : Math.sin(2 * Math.PI * cutoff * x) / (2 * Math.PI * cutoff * x);
      const h = 2 * cutoff * sinc * w;
      table[p * taps + k] = h;
      sum += h;
    }
    // Unity gain at DC for every phase, so no phase-dependent ripple.
    for (let k = 0; k < taps; k++) table[p * taps + k] = (table[p * taps + k] ?? 0) / sum;
  }
  const length = Math.floor((samples.length * up) / down);
  const out = new Int16Array(length);
  for (let n = 0; n < length; n++) {
    const position = n * down; // in units of 1/up input samples
    const base = Math.floor(position / up);
    const phase = position - base * up;
    const row = phase * taps;
    let acc = 0;
    const first = base - halfWidth + 1;
    for (let k = 0; k < taps; k++) {
      const i = first + k;
      if (i >= 0 && i < samples.length) acc += (samples[i] ?? 0) * (table[row + k] ?? 0);
    }
    out[n] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
  }
  return out;
}
