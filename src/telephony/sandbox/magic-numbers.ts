/**
 * What answer detection "hears" on a sandbox number when the leg is anchored with detection:
 * the verdict and when it comes (`decidedAtMs` of audio after answer; `initial_silence` and
 * `total_analysis_time` follow the leg's own thresholds), and for a machine when its beep ends,
 * in ms after the verdict.
 */
export interface SandboxAnalysis {
  verdict: 'human' | 'machine' | 'fax' | 'invalid_number' | 'silence' | 'unknown';
  decidedAtMs?: number;
  beepAfterVerdictMs?: number;
}

/** What the sandbox does when a leg rings a number. */
export interface SandboxBehaviour {
  /** Seconds of ringing before the answer (undefined = never answers). */
  answerAfter?: number;
  /** Final failure status instead of answering. */
  failWith?: { status: number; reason: string; after: number };
  /** After answering, the far end hangs up after this many seconds (undefined = stays). */
  hangupAfter?: number;
  /** Anchored legs with answer detection (any other number: a person, see HUMAN_ANALYSIS). */
  analysis?: SandboxAnalysis;
  description: string;
}

/** What an anchored leg to a number without its own analysis hears: a person saying hello. */
export const HUMAN_ANALYSIS: SandboxAnalysis = { verdict: 'human', decidedAtMs: 1800 };

/** Seconds an answering-detection number stays up after answering (time to play a message). */
const ANALYSED_TALK_SECONDS = 20;

/** Seconds a connected sandbox call lasts when nobody hangs up first. */
export const DEFAULT_TALK_SECONDS = 3;

/**
 * The documented magic numbers, matched on the last four digits of any valid number in the
 * fictional 555-01xx block (e.g. +1 212 555 0101) — the README lists them. Any other number
 * answers after one second and hangs up after three.
 */
export const MAGIC_NUMBERS: Record<string, SandboxBehaviour> = {
  '0100': { answerAfter: 0, hangupAfter: DEFAULT_TALK_SECONDS, description: 'answers at once, talks 3 s' },
  '0101': { failWith: { status: 486, reason: 'Busy Here', after: 1 }, description: 'busy (486)' },
  '0102': { description: 'rings and never answers (no_answer at the ring timeout)' },
  '0103': { failWith: { status: 404, reason: 'Not Found', after: 0.2 }, description: 'invalid number (404)' },
  '0104': { failWith: { status: 603, reason: 'Decline', after: 1 }, description: 'rejected (603)' },
  '0105': {
    failWith: { status: 503, reason: 'Service Unavailable', after: 0.2 },
    description: 'network error (503)',
  },
  '0106': { answerAfter: 0, description: 'answers and never hangs up (until cancelled)' },
  '0130': {
    answerAfter: 1,
    hangupAfter: ANALYSED_TALK_SECONDS,
    analysis: HUMAN_ANALYSIS,
    description: 'a person: answer detection says human 1.8 s after the answer',
  },
  '0131': {
    answerAfter: 1,
    hangupAfter: ANALYSED_TALK_SECONDS,
    analysis: { verdict: 'machine', decidedAtMs: 2500, beepAfterVerdictMs: 2000 },
    description: 'an answering machine: machine 2.5 s after the answer, its beep 2 s later',
  },
  '0132': {
    answerAfter: 1,
    hangupAfter: ANALYSED_TALK_SECONDS,
    analysis: { verdict: 'fax', decidedAtMs: 1000 },
    description: 'a fax machine: fax (CNG) 1 s after the answer',
  },
  '0133': {
    answerAfter: 0.5,
    hangupAfter: 5,
    analysis: { verdict: 'invalid_number', decidedAtMs: 1100 },
    description: 'special information tones: invalid_number 1.1 s after the answer, hangs up at 5 s',
  },
  '0134': {
    answerAfter: 1,
    hangupAfter: ANALYSED_TALK_SECONDS,
    analysis: { verdict: 'silence' },
    description: 'silence: says nothing (silence at the initial-silence threshold)',
  },
  '0135': {
    answerAfter: 1,
    hangupAfter: ANALYSED_TALK_SECONDS,
    analysis: { verdict: 'unknown' },
    description: 'undecided: talks on without a pause (unknown at the total analysis time)',
  },
  '0199': { description: 'agent device that never answers' },
};

/** 555-011N answers after N seconds; 555-012N answers at once and hangs up after N seconds. */
export function behaviourFor(number: string): SandboxBehaviour {
  const match = /5550(1\d\d)$/.exec(number);
  const last = match?.[1];
  if (last) {
    const exact = MAGIC_NUMBERS[`0${last}`];
    if (exact) return exact;
    const n = Number(last.slice(2));
    if (last.startsWith('11'))
      return { answerAfter: n, hangupAfter: DEFAULT_TALK_SECONDS, description: `answers after ${n} s` };
    if (last.startsWith('12'))
      return { answerAfter: 0, hangupAfter: n, description: `hangs up ${n} s after answering` };
  }
  return { answerAfter: 1, hangupAfter: DEFAULT_TALK_SECONDS, description: 'answers after 1 s, talks 3 s' };
}
