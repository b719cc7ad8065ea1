import { type FrameTones, SIGNALLING_TONES, type SignallingTone } from './frame-tones.ts';

/**
 * Fax and special information tones, from the per-frame Goertzel measurements. Tones are
 * followed as runs of consecutive frames dominated by the same tone (one odd frame forgiven,
 * for noise and for the frame where one SIT segment hands over to the next).
 *   - fax: CNG (1100 Hz) or CED (2100 Hz) lasting ≥ faxToneMs (CNG bursts last 0.5 s);
 *   - SIT: three segments in a row — 913.8/985.2 Hz, then 1370.6/1428.5 Hz, then 1776.7 Hz —
 *     each ≥ sitSegmentMs (they last 274 or 380 ms): the number is not in service.
 */

/** A tone sequence that settles the analysis. */
export type SignallingToneEvent =
  | { kind: 'fax'; tone: 'cng' | 'ced'; startMs: number; durationMs: number }
  | { kind: 'sit'; startMs: number; segmentsMs: number[]; frequenciesHz: number[] };

/** Durations the detector requires. */
export interface SignallingToneOptions {
  /** Minimum CNG/CED duration for a fax verdict (ms). */
  faxToneMs: number;
  /** Minimum duration of each SIT segment (ms). */
  sitSegmentMs: number;
}

interface Run {
  tone: SignallingTone;
  startFrame: number;
  frames: number;
  /** Frame index just after the run's last tone frame. */
  endFrame: number;
}

const SIT_SEGMENT: Partial<Record<SignallingTone, 1 | 2 | 3>> = {
  sit1Low: 1,
  sit1High: 1,
  sit2Low: 2,
  sit2High: 2,
  sit3: 3,
};

/** Frame-by-frame detector of fax tones and SIT. */
export class SignallingToneDetector {
  readonly #frameMs: number;
  readonly #faxFrames: number;
  readonly #sitFrames: number;
  #frame = 0;
  #current: Run | undefined;
  /** The last two finished runs, oldest first (enough to see a three-segment SIT). */
  #previous: Run[] = [];

  constructor(options: SignallingToneOptions, frameMs: number) {
    this.#frameMs = frameMs;
    this.#faxFrames = Math.max(1, Math.round(options.faxToneMs / frameMs));
    this.#sitFrames = Math.max(1, Math.round(options.sitSegmentMs / frameMs));
  }

  /** Feeds one frame's measurements; returns an event when a fax tone or a SIT completes. */
  push(tones: FrameTones): SignallingToneEvent | undefined {
    const index = this.#frame++;
    const tone = tones.signalling;
    const run = this.#current;
    if (run && tone === run.tone) {
      run.frames++;
      run.endFrame = index + 1;
    } else if (run && tone === undefined && index - run.endFrame < 1) {
      // one frame without a clear tone: keep the run open
    } else {
      if (run) this.#previous = [...this.#previous, run].slice(-2);
      this.#current = tone ? { tone, startFrame: index, frames: 1, endFrame: index + 1 } : undefined;
    }
    return this.#event();
  }

  #event(): SignallingToneEvent | undefined {
    const run = this.#current;
    if (!run) return undefined;
    if ((run.tone === 'cng' || run.tone === 'ced') && run.frames >= this.#faxFrames)
      return {
        kind: 'fax',
        tone: run.tone,
        startMs: run.startFrame * this.#frameMs,
        durationMs: run.frames * this.#frameMs,
      };
    if (SIT_SEGMENT[run.tone] !== 3 || run.frames < this.#sitFrames) return undefined;
    const [first, second] = this.#previous;
    const adjacent = (a: Run, b: Run) => b.startFrame - a.endFrame <= 2;
    if (
      first &&
      second &&
      SIT_SEGMENT[first.tone] === 1 &&
      SIT_SEGMENT[second.tone] === 2 &&
      first.frames >= this.#sitFrames &&
      second.frames >= this.#sitFrames &&
      adjacent(first, second) &&
      adjacent(second, run)
    )
      return {
        kind: 'sit',
        startMs: first.startFrame * this.#frameMs,
        segmentsMs: [first, second, run].map((r) => r.frames * this.#frameMs),
        frequenciesHz: [first, second, run].map((r) => SIGNALLING_TONES[r.tone]),
      };
    return undefined;
  }
}
