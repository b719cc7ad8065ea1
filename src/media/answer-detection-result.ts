/**
 * What answer detection concludes about an answered call, the shape `pconn amd --json` prints
 * and the attempt record stores.
 *
 * SIT is its own verdict, `invalid_number`: it settles the call as surely as `fax` does, and a
 * dialer acts on it differently (never retry the number) from `unknown` (retry may be fine).
 */

/** The verdicts. */
export type AnswerVerdict = 'human' | 'machine' | 'fax' | 'silence' | 'unknown' | 'invalid_number';

/** The rule that gave the verdict. */
export type AnswerReason =
  /** human: a short greeting followed by afterGreetingSilenceMs of silence */
  | 'after_greeting_silence'
  /** machine: more than greetingMs of voice */
  | 'long_greeting'
  /** machine: maxWords words */
  | 'max_words'
  /** machine: a beep after a greeting, before any other rule decided */
  | 'beep'
  /** silence: nothing said within initialSilenceMs */
  | 'initial_silence'
  /** unknown: no rule decided within totalAnalysisMs */
  | 'total_analysis_time'
  /** the recording ended before any rule decided (offline analysis only) */
  | 'end_of_audio'
  | 'fax_cng'
  | 'fax_ced'
  | 'sit';

/** The measurements behind a verdict. */
export interface AnswerFeatures {
  reason: AnswerReason;
  /** Silence before the first word (ms), or all the audio analysed when nobody spoke. */
  initialSilenceMs: number;
  /** Voice in the greeting, from its first word until the verdict (ms). */
  greetingMs: number;
  /** Words counted (voice ≥ minWordMs separated by ≥ betweenWordsSilenceMs of silence). */
  words: number;
  /** The silence running when the verdict was reached (ms). */
  silenceAtVerdictMs: number;
  /** The line's noise floor at the verdict (RMS of 16-bit samples). */
  noiseFloorRms: number;
  /** Audio analysed in all, including the wait for a beep (ms). */
  analysedMs: number;
  /** The fax tone that decided `fax`. */
  faxTone?: { tone: 'cng' | 'ced'; startMs: number; durationMs: number };
  /** The special information tones that decided `invalid_number`. */
  sit?: { startMs: number; segmentsMs: number[]; frequenciesHz: number[] };
  /** The machine's beep. */
  beep?: { startMs: number; durationMs: number; frequencyHz: number };
}

/** A verdict, when it was reached (ms of audio after answer), and the beep if one was heard. */
export interface AnswerDetection {
  verdict: AnswerVerdict;
  decidedAtMs: number;
  /** When the machine's beep ended (ms after answer): leave the message from there. */
  beepAtMs: number | null;
  features: AnswerFeatures;
}
