/**
 * Energy-based voice activity: a frame is voice when its level is above an absolute threshold
 * and above the line's noise floor by a margin. The floor follows quiet frames down at once and
 * creeps up slowly, so steady noise (10–20 dB below speech on a mobile line) becomes the floor
 * within a frame or two while a long greeting does not: between its words the level falls back
 * to the noise and pins the floor there again.
 */

/** How the detector judges one frame. */
export interface VoiceActivityOptions {
  /** Absolute level (RMS of 16-bit samples) below which a frame is always silence. */
  silenceThreshold: number;
  /** How far above the noise floor a frame must be to count as voice, in dB. */
  marginDb?: number;
  /** How fast the floor rises while frames stay above it, in dB per second. */
  floorRiseDbPerSecond?: number;
}

/** A floor never below this RMS, so one frame of digital silence does not make all else voice. */
const MIN_FLOOR_RMS = 8;

/** Frame-by-frame voice/silence decisions against an adaptive noise floor. */
export class VoiceActivityDetector {
  readonly #threshold: number;
  readonly #margin: number;
  readonly #risePerFrame: number;
  #floorPower: number | undefined;

  constructor(options: VoiceActivityOptions, frameMs: number) {
    this.#threshold = options.silenceThreshold ** 2;
    this.#margin = 10 ** ((options.marginDb ?? 9) / 10);
    this.#risePerFrame = 10 ** (((options.floorRiseDbPerSecond ?? 3) * frameMs) / 1000 / 10);
  }

  /** The current noise floor as an RMS level (0 before the first frame). */
  get noiseFloorRms(): number {
    return Math.sqrt(this.#floorPower ?? 0);
  }

  /** Classifies one frame by its mean power (mean of squared samples); true = voice. */
  isVoice(power: number): boolean {
    const floor = this.#floorPower ?? power;
    const voice = power > this.#threshold && power > floor * this.#margin;
    this.#floorPower = Math.max(MIN_FLOOR_RMS ** 2, power < floor ? power : floor * this.#risePerFrame);
    return voice;
  }
}
