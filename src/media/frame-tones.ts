import { blockEnergy, goertzelPower } from './goertzel.ts';

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

/** Measures one frame (any length; the analysers use 160 samples at 8 kHz). */
export function measureFrameTones(frame: Int16Array, sampleRate: number): FrameTones {
  const n = frame.length;
  const energy = blockEnergy(frame);
  const power = energy / n;
  const purityAt = (hz: number) =>
    energy > 0 ? (2 * goertzelPower(frame, hz, sampleRate)) / (n * energy) : 0;
  let signalling: SignallingTone | undefined;
  let best = TONE_PURITY;
  for (const name of TONE_NAMES) {
    const purity = purityAt(SIGNALLING_TONES[name]);
    if (purity >= best) {
      best = purity;
      signalling = name;
    }
  }
  const estimate = zeroCrossingHz(frame, sampleRate, Math.sqrt(power));
  let dominantHz: number | undefined;
  let dominantPurity = 0;
  if (estimate !== undefined && estimate > 100 && estimate < sampleRate / 2 - 100) {
    // The estimate is within a few Hz for a clean tone; probe around it for noisy ones.
    for (const offset of [0, -8, 8]) {
      const purity = purityAt(estimate + offset);
      if (purity > dominantPurity) {
        dominantPurity = Math.min(1, purity);
        dominantHz = estimate + offset;
      }
    }
  }
  return { power, signalling, dominantHz, dominantPurity };
}
