/**
 * The Goertzel algorithm: the power of one frequency in a block of samples, for far less than
 * an FFT when only a few frequencies matter (tone detection). Generalised to any frequency, not
 * only a bin centre.
 */

/** Power of `frequency` in `samples[from, from + length)`, scaled like |DFT|². */
export function goertzelPower(
  samples: ArrayLike<number>,
  frequency: number,
  sampleRate: number,
  from = 0,
  length = samples.length - from,
): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < from + length; i++) {
    const s0 = (samples[i] as number) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

/** The block's energy: the sum of squared samples. */
export function blockEnergy(samples: ArrayLike<number>, from = 0, length = samples.length - from): number {
  let sum = 0;
  for (let i = from; i < from + length; i++) {
    const v = samples[i] ?? 0;
    sum += v * v;
  }
  return sum;
}

/**
 * How much of a block's energy one frequency holds, 0..1 (about 1 for a pure tone at that
 * frequency, about 2/length for white noise). By Parseval a sinusoid of amplitude A gives a
 * Goertzel power of (A·N/2)² and an energy of A²·N/2, hence the factor 2/N.
 */
export function tonePurity(
  samples: ArrayLike<number>,
  frequency: number,
  sampleRate: number,
  from = 0,
  length = samples.length - from,
): number {
  const energy = blockEnergy(samples, from, length);
  if (energy <= 0) return 0;
  return Math.min(1, (2 * goertzelPower(samples, frequency, sampleRate, from, length)) / (length * energy));
}
