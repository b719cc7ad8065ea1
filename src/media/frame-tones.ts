/**
 * Per-frame tone measurements shared by the fax/SIT and beep detectors: the purity of each
 * signalling tone (Goertzel at its nominal frequency) and the frame's dominant frequency with
 * its purity (for beeps, whose frequency is not known beforehand).
 */

/** The signalling tones pconn recognises, with their nominal frequencies in Hz. */
export const SIGNALLING_TONES = {
  /** Fax calling tone (T.30 CNG): 1100 Hz, 0.5 s on, 3 s off. */
  cng: 1100,
  /** Fax answer tone (T.30 CED / V.25 ANS): 2100 Hz for 2.6–4 s. */
  ced: 2100,
  /** SIT first segment (ANSI T1.401 / ITU-T E.180 variants), low and high. */
  sit1Low: 913.8,
  sit1High: 985.2,
  /** SIT second segment, low and high. */
  sit2Low: 1370.6,
  sit2High: 1428.5,
  /** SIT third segment. */
  sit3: 1776.7,
} as const;

/** The name of one signalling tone. */
export type SignallingTone = keyof typeof SIGNALLING_TONES;

/** What one frame holds, tone-wise. */
export interface FrameTones {
  /** Mean power of the frame (mean squared sample). */
  power: number;
  /** The signalling tone that dominates the frame, if any (purity ≥ the threshold). */
  signalling: SignallingTone | undefined;
  /** The frame's dominant frequency (zero-crossing estimate, refined by Goertzel), if periodic. */
  dominantHz: number | undefined;
  /** Share of the frame's energy at `dominantHz`, 0..1. */
  dominantPurity: number;
}

/** A frame is a tone when at least this share of its energy sits at one frequency (10 dB SNR ≈ 0.9). */
export const TONE_PURITY = 0.6;

const TONE_NAMES = Object.keys(SIGNALLING_TONES) as SignallingTone[];

/**
 * Dominant frequency from zero crossings with hysteresis (a crossing counts only after the
 * signal has left a band of ±40 % of its RMS, so noise riding on a tone adds no crossings),
 * using interpolated crossing instants so the estimate is not quantised to whole crossings.
 */
function zeroCrossingHz(frame: Int16Array, sampleRate: number, rms: number): number | undefined {
  const band = 0.4 * rms;
  // Hot loop (every frame of every leg): the arming is a number (1 up, -1 down, 0 not armed)
  // and the previous sample a local, not a string state and a second read per sample.
  let armed = 0;
  let first = -1;
  let last = 0;
  let crossings = 0;
  const n = frame.length;
  let a = n > 0 ? (frame[0] as number) : 0;
  for (let i = 1; i < n; i++) {
    const b = frame[i] as number;
    if ((armed === 1 && a < 0 && b >= 0) || (armed === -1 && a > 0 && b <= 0)) {
      const at = i - 1 + a / (a - b);
      if (first < 0) first = at;
      last = at;
      crossings++;
      armed = 0;
    }
    // Armed after the check: one step may cross zero and leave the band on the other side.
    if (b < -band) armed = 1;
    else if (b > band) armed = -1;
    a = b;
  }
  if (first < 0 || crossings < 3 || last <= first) return undefined;
  return ((crossings - 1) / 2) * (sampleRate / (last - first));
}

const coefficients = new Map<number, Float64Array>();

/** 2·cos(2πf/rate) of every signalling tone, computed once per sample rate. */
function signallingCoefficients(sampleRate: number): Float64Array {
  let table = coefficients.get(sampleRate);
  if (!table) {
    table = Float64Array.from(
      TONE_NAMES,
      (name) => 2 * Math.cos((2 * Math.PI * SIGNALLING_TONES[name]) / sampleRate),
    );
    coefficients.set(sampleRate, table);
  }
  return table;
}

/**
 * Measures one frame (any length; the analysers use 160 samples at 8 kHz). Hot path: every
 * analysed leg runs it 50 times a second, so the seven signalling tones share one pass with
 * their filter states in locals (registers, not a typed array read and written per sample: the
 * pass costs a third), and the three probes of the dominant frequency share another. The sums
 * are the same operations in the same order as one `goertzelPower` per frequency, so the
 * figures are identical to it. `signalling` false skips the seven tones (after a verdict only
 * the beep detector listens, and it needs the dominant frequency alone).
 */
export function measureFrameTones(frame: Int16Array, sampleRate: number, signalling = true): FrameTones {
  const n = frame.length;
  const energy = signalling ? signallingPass(frame, sampleRate) : frameEnergy(frame);
  const power = n === 0 ? 0 : energy / n;
  const estimate = energy > 0 ? zeroCrossingHz(frame, sampleRate, Math.sqrt(power)) : undefined;
  let dominantHz: number | undefined;
  let dominantPurity = 0;
  if (estimate !== undefined && estimate > 100 && estimate < sampleRate / 2 - 100) {
    // The estimate is within a few Hz for a clean tone; probe around it for noisy ones (in
    // this order, the first purest kept).
    threeGoertzel(frame, sampleRate, estimate, estimate - 8, estimate + 8);
    const scale = n * energy;
    for (let k = 0; k < 3; k++) {
      const purity = (2 * (probes[k] as number)) / scale;
      if (purity > dominantPurity) {
        dominantPurity = Math.min(1, purity);
        dominantHz = k === 0 ? estimate : k === 1 ? estimate - 8 : estimate + 8;
      }
    }
  }
  return { power, signalling: signalling ? strongest : undefined, dominantHz, dominantPurity };
}

/** The tone found by the latest `signallingPass` (a module slot: no object per frame). */
let strongest: SignallingTone | undefined;

/** The seven purities of the latest `signallingPass` (no array per frame). */
const signallingPurities = new Float64Array(7);

/** Sum of squared samples. */
function frameEnergy(frame: Int16Array): number {
  let energy = 0;
  for (let i = 0; i < frame.length; i++) {
    const x = frame[i] as number;
    energy += x * x;
  }
  return energy;
}

/**
 * One pass over the frame: its energy and the Goertzel state of the seven signalling tones;
 * sets `strongest` to the tone holding at least TONE_PURITY of the energy (the purest one).
 */
function signallingPass(frame: Int16Array, sampleRate: number): number {
  const table = signallingCoefficients(sampleRate);
  const c0 = table[0] as number;
  const c1 = table[1] as number;
  const c2 = table[2] as number;
  const c3 = table[3] as number;
  const c4 = table[4] as number;
  const c5 = table[5] as number;
  const c6 = table[6] as number;
  let a0 = 0,
    b0 = 0,
    a1 = 0,
    b1 = 0,
    a2 = 0,
    b2 = 0,
    a3 = 0,
    b3 = 0,
    a4 = 0,
    b4 = 0,
    a5 = 0,
    b5 = 0,
    a6 = 0,
    b6 = 0;
  let energy = 0;
  const n = frame.length;
  for (let i = 0; i < n; i++) {
    const x = frame[i] as number;
    energy += x * x;
    let s = x + c0 * a0 - b0;
    b0 = a0;
    a0 = s;
    s = x + c1 * a1 - b1;
    b1 = a1;
    a1 = s;
    s = x + c2 * a2 - b2;
    b2 = a2;
    a2 = s;
    s = x + c3 * a3 - b3;
    b3 = a3;
    a3 = s;
    s = x + c4 * a4 - b4;
    b4 = a4;
    a4 = s;
    s = x + c5 * a5 - b5;
    b5 = a5;
    a5 = s;
    s = x + c6 * a6 - b6;
    b6 = a6;
    a6 = s;
  }
  strongest = undefined;
  if (energy > 0) {
    const scale = n * energy;
    let best = TONE_PURITY;
    // In tone order, the first purest kept (as one filter after another would).
    const purities = signallingPurities;
    purities[0] = (2 * (a0 * a0 + b0 * b0 - c0 * a0 * b0)) / scale;
    purities[1] = (2 * (a1 * a1 + b1 * b1 - c1 * a1 * b1)) / scale;
    purities[2] = (2 * (a2 * a2 + b2 * b2 - c2 * a2 * b2)) / scale;
    purities[3] = (2 * (a3 * a3 + b3 * b3 - c3 * a3 * b3)) / scale;
    purities[4] = (2 * (a4 * a4 + b4 * b4 - c4 * a4 * b4)) / scale;
    purities[5] = (2 * (a5 * a5 + b5 * b5 - c5 * a5 * b5)) / scale;
    purities[6] = (2 * (a6 * a6 + b6 * b6 - c6 * a6 * b6)) / scale;
    for (let k = 0; k < 7; k++) {
      const purity = purities[k] as number;
      if (purity >= best) {
        best = purity;
        strongest = TONE_NAMES[k];
      }
    }
  }
  return energy;
}

/** The Goertzel powers `threeGoertzel` found last (a module slot: no array per frame). */
const probes = new Float64Array(3);

/** Goertzel powers of three frequencies in one pass into `probes` (each as `goertzelPower`). */
function threeGoertzel(frame: Int16Array, sampleRate: number, f0: number, f1: number, f2: number): void {
  const c0 = 2 * Math.cos((2 * Math.PI * f0) / sampleRate);
  const c1 = 2 * Math.cos((2 * Math.PI * f1) / sampleRate);
  const c2 = 2 * Math.cos((2 * Math.PI * f2) / sampleRate);
  let a0 = 0;
  let b0 = 0;
  let a1 = 0;
  let b1 = 0;
  let a2 = 0;
  let b2 = 0;
  for (let i = 0; i < frame.length; i++) {
    const x = frame[i] as number;
    let s = x + c0 * a0 - b0;
    b0 = a0;
    a0 = s;
    s = x + c1 * a1 - b1;
    b1 = a1;
    a1 = s;
    s = x + c2 * a2 - b2;
    b2 = a2;
    a2 = s;
  }
  probes[0] = a0 * a0 + b0 * b0 - c0 * a0 * b0;
  probes[1] = a1 * a1 + b1 * b1 - c1 * a1 * b1;
  probes[2] = a2 * a2 + b2 * b2 - c2 * a2 * b2;
}
