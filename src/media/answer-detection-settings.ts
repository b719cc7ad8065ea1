/**
 * The thresholds of answer detection, per campaign, in the spirit of Asterisk's AMD()
 * (initial silence, greeting, after-greeting silence, word length and count, total time,
 * silence threshold). Defaults were tuned on the labelled corpus the test suite builds
 * (test/media/answer-detection-corpus.test.ts), where people say a few words and wait,
 * machines speak for seconds: see each comment for what moved it.
 */

/** Every threshold of the analyser (milliseconds unless named otherwise). */
export interface AnswerDetectionSettings {
  /** Silence before anything is said; reaching it gives `silence`. */
  initialSilenceMs: number;
  /** Voice in the greeting beyond this gives `machine` (a person's "Hello?" is well under). */
  greetingMs: number;
  /** Silence after a greeting that gives `human` (the person waits for an answer). */
  afterGreetingSilenceMs: number;
  /** Voice shorter than this is not a word (clicks, breath). */
  minWordMs: number;
  /** Silence that separates two words. */
  betweenWordsSilenceMs: number;
  /** Words at which the greeting is taken for a machine's. */
  maxWords: number;
  /** No verdict by then gives `unknown`. */
  totalAnalysisMs: number;
  /** RMS level (16-bit) below which a frame is silence whatever the noise floor. */
  silenceThreshold: number;
  /** A fax tone (CNG 1100 Hz / CED 2100 Hz) this long gives `fax`. */
  faxToneMs: number;
  /** Each SIT segment must last this long to give `invalid_number`. */
  sitSegmentMs: number;
  /** A steady tone this long after a machine greeting is its beep. */
  minBeepMs: number;
  /** After a `machine` verdict, how long to keep listening for the beep. */
  beepTimeoutMs: number;
}

/** The defaults (see the corpus test for the confusion matrix they give). */
export const DEFAULT_ANSWER_DETECTION: Readonly<AnswerDetectionSettings> = Object.freeze({
  initialSilenceMs: 2500,
  greetingMs: 1500,
  afterGreetingSilenceMs: 800,
  minWordMs: 100,
  betweenWordsSilenceMs: 50,
  maxWords: 5,
  totalAnalysisMs: 5000,
  silenceThreshold: 256,
  faxToneMs: 400,
  sitSegmentMs: 200,
  minBeepMs: 150,
  beepTimeoutMs: 30000,
});

/** Inclusive bounds of each setting, so a typo (seconds for milliseconds) is refused. */
export const ANSWER_DETECTION_BOUNDS: Readonly<
  Record<keyof AnswerDetectionSettings, readonly [number, number]>
> = Object.freeze({
  initialSilenceMs: [100, 60000],
  greetingMs: [100, 60000],
  afterGreetingSilenceMs: [100, 10000],
  minWordMs: [20, 2000],
  betweenWordsSilenceMs: [20, 2000],
  maxWords: [1, 100],
  totalAnalysisMs: [500, 120000],
  silenceThreshold: [1, 32767],
  faxToneMs: [100, 10000],
  sitSegmentMs: [60, 1000],
  minBeepMs: [40, 5000],
  beepTimeoutMs: [0, 600000],
});

/** One setting out of bounds: which, the value given and the bounds. */
export interface AnswerDetectionSettingError {
  setting: keyof AnswerDetectionSettings;
  value: unknown;
  detail: string;
}

/**
 * Merges overrides onto the defaults and checks each against its bounds (integers only).
 * Returns the settings, or every error found.
 */
export function resolveAnswerDetectionSettings(
  overrides: Partial<Record<keyof AnswerDetectionSettings, unknown>> = {},
): { settings: AnswerDetectionSettings } | { errors: AnswerDetectionSettingError[] } {
  const settings: AnswerDetectionSettings = { ...DEFAULT_ANSWER_DETECTION };
  const errors: AnswerDetectionSettingError[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const setting = key as keyof AnswerDetectionSettings;
    const bounds = ANSWER_DETECTION_BOUNDS[setting];
    if (!bounds) {
      errors.push({ setting, value, detail: `unknown answer detection setting '${key}'` });
      continue;
    }
    const [min, max] = bounds;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      errors.push({ setting, value, detail: `${key} must be an integer from ${min} to ${max}` });
      continue;
    }
    settings[setting] = value;
  }
  if (errors.length === 0 && settings.totalAnalysisMs <= settings.afterGreetingSilenceMs)
    errors.push({
      setting: 'totalAnalysisMs',
      value: settings.totalAnalysisMs,
      detail: 'totalAnalysisMs must be longer than afterGreetingSilenceMs, or no person is ever recognised',
    });
  return errors.length ? { errors } : { settings };
}
