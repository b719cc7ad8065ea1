import { type FrameTones, TONE_PURITY } from './frame-tones.ts';

/**
 * An answering machine's beep: one steady tone between 400 and 2000 Hz lasting at least
 * minBeepMs, whatever its exact frequency (machines differ). Reported when the tone ends — the
 * instant a message may start — or once it has lasted maxBeepMs, so an endless tone does not
 * hold the message back forever.
 */

/** A beep found: when it ended (the moment to start speaking), its frequency and length. */
export interface BeepEvent {
  atMs: number;
  startMs: number;
  durationMs: number;
  frequencyHz: number;
}

/** What the detector accepts as a beep. */
export interface BeepOptions {
  minBeepMs: number;
  /** Lowest and highest beep frequency (Hz). */
  minHz?: number;
  maxHz?: number;
  /** A tone lasting this long is reported while it still sounds (ms). */
  maxBeepMs?: number;
}

interface Run {
  startFrame: number;
  frames: number;
  sumHz: number;
}

/** Frame-by-frame beep detector. */
export class BeepDetector {
  readonly #frameMs: number;
  // Edge frames hold part of the tone only, so a 150 ms beep fills 6 whole frames at worst.
  readonly #minFrames: number;
  readonly #maxFrames: number;
  readonly #minHz: number;
  readonly #maxHz: number;
  #frame = 0;
  #run: Run | undefined;

  constructor(options: BeepOptions, frameMs: number) {
    this.#frameMs = frameMs;
    this.#minFrames = Math.max(2, Math.floor(options.minBeepMs / frameMs) - 1);
    this.#maxFrames = Math.round((options.maxBeepMs ?? 3000) / frameMs);
    this.#minHz = options.minHz ?? 380;
    this.#maxHz = options.maxHz ?? 2050;
  }

  /** Feeds one frame's measurements; returns the beep when one has just ended. */
  push(tones: FrameTones): BeepEvent | undefined {
    const index = this.#frame++;
    const hz = tones.dominantHz;
    const tonal =
      hz !== undefined && tones.dominantPurity >= TONE_PURITY && hz >= this.#minHz && hz <= this.#maxHz;
    const run = this.#run;
    if (run && tonal) {
      const mean = run.sumHz / run.frames;
      if (Math.abs(hz - mean) <= Math.max(15, 0.02 * mean)) {
        run.frames++;
        run.sumHz += hz;
        return run.frames >= this.#maxFrames ? this.#finish(index + 1) : undefined;
      }
    }
    const ended = run && run.frames >= this.#minFrames ? this.#finish(index) : undefined;
    this.#run = tonal ? { startFrame: index, frames: 1, sumHz: hz } : undefined;
    return ended;
  }

  /** At the end of a recording: a beep still sounding counts if it is long enough. */
  flush(): BeepEvent | undefined {
    return this.#run && this.#run.frames >= this.#minFrames ? this.#finish(this.#frame) : undefined;
  }

  #finish(endFrame: number): BeepEvent {
    const run = this.#run as Run;
    this.#run = undefined;
    return {
      atMs: endFrame * this.#frameMs,
      startMs: run.startFrame * this.#frameMs,
      durationMs: run.frames * this.#frameMs,
      frequencyHz: Math.round(run.sumHz / run.frames),
    };
  }
}
