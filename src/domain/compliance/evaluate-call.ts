import { type CallingWindow, isWithinWindow, nextCommonOpening } from './calling-window.ts';
import type { ZoneResolution } from './zone-for-contact.ts';

/** The rules a decision lists, every one of them evaluated. */
export type RuleName = 'dnc' | 'consent' | 'attempt_cap' | 'redial_gap' | 'calling_window' | 'agents';

/** One rule's verdict. */
export interface RuleResult {
  rule: RuleName;
  result: 'pass' | 'fail' | 'defer';
  detail: string;
  /** What to change so the rule passes, where that is not evident from the detail. */
  hint?: string;
}

/** Whether a call may be placed at an instant, and why. */
export interface Decision {
  outcome: 'allowed' | 'deferred' | 'refused';
  rules: RuleResult[];
  zone: ZoneResolution;
  evaluatedAt: Date;
  /** The earliest instant at or after evaluatedAt when the call would be allowed; null = never. */
  nextAllowedAt: Date | null;
}

/** What evaluateCall looks at. */
export interface CallFacts {
  at: Date;
  window: CallingWindow;
  zones: ZoneResolution;
  dnc: boolean;
  consent?: { status: 'granted' | 'revoked'; source?: string | null; at?: string };
  requireConsent?: boolean;
  attemptsMade: number;
  maxAttempts: number;
  lastAttemptEndedAt?: Date;
  minRedialGapSeconds: number;
  outsideWindow: 'schedule' | 'reject';
}

/**
 * The compliance decision for one call at `facts.at` (pure). DNC, revoked or required-but-
 * missing consent and a reached attempt cap refuse for good; a redial gap or a closed calling
 * window defer to the earliest instant satisfying both (with `outsideWindow: reject` a closed
 * window refuses, still naming that instant). Every rule is listed, so a caller can explain all.
 */
export function evaluateCall(facts: CallFacts): Decision {
  const rules: RuleResult[] = [];
  rules.push(
    facts.dnc
      ? { rule: 'dnc', result: 'fail', detail: 'The number is on the do-not-call list.' }
      : { rule: 'dnc', result: 'pass', detail: 'Not on the do-not-call list.' },
  );
  const consent = facts.consent;
  if (consent?.status === 'revoked') {
    rules.push({
      rule: 'consent',
      result: 'fail',
      detail: `Consent was revoked${consent.source ? ` (${consent.source})` : ''}${consent.at ? ` at ${consent.at}` : ''}.`,
    });
  } else if (facts.requireConsent && consent?.status !== 'granted') {
    rules.push({ rule: 'consent', result: 'fail', detail: 'Consent is required and none is recorded.' });
  } else {
    rules.push({
      rule: 'consent',
      result: 'pass',
      detail: consent ? 'Consent granted.' : 'No consent record; none required.',
    });
  }
  const capReached = facts.attemptsMade >= facts.maxAttempts;
  rules.push({
    rule: 'attempt_cap',
    result: capReached ? 'fail' : 'pass',
    detail: `${facts.attemptsMade} of ${facts.maxAttempts} attempts made.`,
  });
  const gapEnds = facts.lastAttemptEndedAt
    ? new Date(facts.lastAttemptEndedAt.getTime() + facts.minRedialGapSeconds * 1000)
    : facts.at;
  const gapOpen = gapEnds.getTime() <= facts.at.getTime();
  rules.push(
    gapOpen
      ? { rule: 'redial_gap', result: 'pass', detail: 'The minimum redial gap has passed.' }
      : {
          rule: 'redial_gap',
          result: 'defer',
          detail: `The minimum redial gap of ${facts.minRedialGapSeconds} s ends at ${gapEnds.toISOString()}.`,
        },
  );
  const earliest = gapOpen ? facts.at : gapEnds;
  const zones = facts.zones.zones;
  const inWindow = zones.every((zone) => isWithinWindow(facts.at, facts.window, zone));
  const opening = nextCommonOpening(earliest, facts.window, zones);
  const where = `${facts.window.start}–${facts.window.end} in ${zones.join(', ')} (zone from ${facts.zones.source})`;
  rules.push(
    inWindow
      ? { rule: 'calling_window', result: 'pass', detail: `Inside the calling window ${where}.` }
      : {
          rule: 'calling_window',
          result: facts.outsideWindow === 'reject' ? 'fail' : 'defer',
          detail: opening
            ? `Outside the calling window ${where}; it opens at ${opening.toISOString()}.`
            : `The calling window ${where} has no common opening in the next 8 days.`,
        },
  );
  const refused = facts.dnc || rules.some((r) => r.rule === 'consent' && r.result === 'fail') || capReached;
  if (refused)
    return { outcome: 'refused', rules, zone: facts.zones, evaluatedAt: facts.at, nextAllowedAt: null };
  if (inWindow && gapOpen)
    return { outcome: 'allowed', rules, zone: facts.zones, evaluatedAt: facts.at, nextAllowedAt: facts.at };
  const outcome = !inWindow && facts.outsideWindow === 'reject' ? 'refused' : 'deferred';
  return { outcome, rules, zone: facts.zones, evaluatedAt: facts.at, nextAllowedAt: opening };
}
