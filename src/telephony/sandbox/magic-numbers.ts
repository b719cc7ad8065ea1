/** What the sandbox does when a leg rings a number. */
export interface SandboxBehaviour {
  /** Seconds of ringing before the answer (undefined = never answers). */
  answerAfter?: number;
  /** Final failure status instead of answering. */
  failWith?: { status: number; reason: string; after: number };
  /** After answering, the far end hangs up after this many seconds (undefined = stays). */
  hangupAfter?: number;
  description: string;
}

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
