import { goertzelPower } from './goertzel.ts';

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
  let armed: 'up' | 'down' | undefined;
  let first: number | undefined;
  let last = 0;
  let crossings = 0;
  for (let i = 1; i < frame.length; i++) {
    const a = frame[i - 1] ?? 0;
    const b = frame[i] ?? 0;
    const crossedUp = armed === 'up' && a < 0 && b >= 0;
    const crossedDown = armed === 'down' && a > 0 && b <= 0;
    if (crossedUp || crossedDown) {
      const at = i - 1 + a / (a - b);
      if (first === undefined) first = at;
      last = at;
      crossings++;
      armed = undefined;
    }
    // Armed after the check: one step may cross zero and leave the band on the other side.
    if (b < -band) armed = 'up';
    else if (b > band) armed = 'down';
  }
  if (first === undefined || crossings < 3 || last <= first) return undefined;
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

// Goertzel state of the seven signalling tones, reused frame after frame (one pass for all).
const s1 = new Float64Array(TONE_NAMES.length);
const s2 = new Float64Array(TONE_NAMES.length);

/**
 * Measures one frame (any length; the analysers use 160 samples at 8 kHz). Hot path: every
 * analysed leg runs it 50 times a second, so the seven signalling tones share one pass.
 */
export function measureFrameTones(frame: Int16Array, sampleRate: number): FrameTones {
  const n = frame.length;
  const table = signallingCoefficients(sampleRate);
  const tones = table.length;
  s1.fill(0);
  s2.fill(0);
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = frame[i] as number;
    energy += x * x;
    for (let k = 0; k < tones; k++) {
      const s0 = x + (table[k] as number) * (s1[k] as number) - (s2[k] as number);
      s2[k] = s1[k] as number;
      s1[k] = s0;
    }
  }
  const power = energy / n;
  let signalling: SignallingTone | undefined;
  if (energy > 0) {
    let best = TONE_PURITY;
    for (let k = 0; k < tones; k++) {
      const a = s1[k] as number;
      const b = s2[k] as number;
      const purity = (2 * (a * a + b * b - (table[k] as number) * a * b)) / (n * energy);
      if (purity >= best) {
        best = purity;
        signalling = TONE_NAMES[k];
      }
    }
  }
  const estimate = energy > 0 ? zeroCrossingHz(frame, sampleRate, Math.sqrt(power)) : undefined;
  let dominantHz: number | undefined;
  let dominantPurity = 0;
  if (estimate !== undefined && estimate > 100 && estimate < sampleRate / 2 - 100) {
    // The estimate is within a few Hz for a clean tone; probe around it for noisy ones.
    for (const offset of [0, -8, 8]) {
      const purity = (2 * goertzelPower(frame, estimate + offset, sampleRate)) / (n * energy);
      if (purity > dominantPurity) {
        dominantPurity = Math.min(1, purity);
        dominantHz = estimate + offset;
      }
    }
  }
  return { power, signalling, dominantHz, dominantPurity };
}
