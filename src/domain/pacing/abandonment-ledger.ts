import type { AbandonmentRules } from './abandonment-rules.ts';

/*
 * The abandonment ledger of one campaign, computed from attempt-like records only (pure), so it
 * can always be recomputed from the attempt rows and checked against them. Days are UTC days
 * unless the caller gives the campaign's UTC offset.
 */

/** What the ledger needs of one attempt: when a person answered, and whether it was abandoned. */
export interface LedgerAttempt {
  /** When a live person answered (ms); null or absent when nobody did (no answer, busy, machine). */
  liveAnsweredAt: number | null;
  /** The person was never connected to an agent (within the rules' window, or at all). */
  abandoned: boolean;
}

/** Live answers and abandons over some span. */
export interface LedgerTotals {
  liveAnswers: number;
  abandoned: number;
  /** abandoned ÷ liveAnswers (0 when there were none). */
  rate: number;
}

/** One day of the ledger. */
export interface LedgerDay extends LedgerTotals {
  /** YYYY-MM-DD in the ledger's offset. */
  day: string;
}

/** The ledger at one instant. */
export interface AbandonmentLedger {
  jurisdiction: AbandonmentRules['jurisdiction'];
  maxAbandonRate: number;
  /** Every day with a live answer, oldest first. */
  days: LedgerDay[];
  /** Today (the day holding `at`). */
  today: LedgerTotals;
  /** The 30 days ending at `at`. */
  rolling30Days: LedgerTotals;
  /** The span the jurisdiction's cap applies to (today, or the rolling window). */
  governing: LedgerTotals;
  /**
   * Further abandons the governing span still allows right now: ⌊cap × live answers⌋ minus
   * abandons (negative when over). Each further live answer adds `maxAbandonRate` to it.
   */
  headroom: number;
  /** The cap is reached: the campaign dials progressively (no abandons) until it is not. */
  restricted: boolean;
}

const DAY_MS = 86_400_000;

function totals(liveAnswers: number, abandoned: number): LedgerTotals {
  return { liveAnswers, abandoned, rate: liveAnswers === 0 ? 0 : abandoned / liveAnswers };
}

/** The calendar day of `at` (ms) at a UTC offset in minutes. */
export function ledgerDay(at: number, utcOffsetMinutes = 0): string {
  return new Date(at + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/**
 * The ledger at `at` from the campaign's attempts. Restricted when the governing span holds an
 * abandon and its rate is at or above the cap: one more abandon would then break the rule.
 */
export function computeAbandonmentLedger(
  attempts: Iterable<LedgerAttempt>,
  rules: AbandonmentRules,
  at: number,
  utcOffsetMinutes = 0,
): AbandonmentLedger {
  const byDay = new Map<string, { live: number; abandoned: number }>();
  const windowDays = rules.period.kind === 'rolling_days' ? rules.period.days : 30;
  const rollingFrom = at - 30 * DAY_MS;
  const governingFrom = at - windowDays * DAY_MS;
  const today = ledgerDay(at, utcOffsetMinutes);
  let rollingLive = 0;
  let rollingAbandoned = 0;
  let windowLive = 0;
  let windowAbandoned = 0;
  for (const attempt of attempts) {
    const answeredAt = attempt.liveAnsweredAt;
    if (answeredAt === null || answeredAt > at) continue;
    const abandoned = attempt.abandoned ? 1 : 0;
    const day = ledgerDay(answeredAt, utcOffsetMinutes);
    const entry = byDay.get(day) ?? { live: 0, abandoned: 0 };
    entry.live += 1;
    entry.abandoned += abandoned;
    byDay.set(day, entry);
    if (answeredAt > rollingFrom) {
      rollingLive += 1;
      rollingAbandoned += abandoned;
    }
    if (answeredAt > governingFrom) {
      windowLive += 1;
      windowAbandoned += abandoned;
    }
  }
  const days = [...byDay]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, entry]) => ({ day, ...totals(entry.live, entry.abandoned) }));
  const todays = byDay.get(today);
  const todayTotals = totals(todays?.live ?? 0, todays?.abandoned ?? 0);
  const governing = rules.period.kind === 'day' ? todayTotals : totals(windowLive, windowAbandoned);
  const headroom = Math.floor(rules.maxAbandonRate * governing.liveAnswers + 1e-9) - governing.abandoned;
  return {
    jurisdiction: rules.jurisdiction,
    maxAbandonRate: rules.maxAbandonRate,
    days,
    today: todayTotals,
    rolling30Days: totals(rollingLive, rollingAbandoned),
    governing,
    headroom,
    restricted: governing.abandoned > 0 && governing.rate >= rules.maxAbandonRate,
  };
}
