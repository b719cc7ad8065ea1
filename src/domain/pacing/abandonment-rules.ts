/*
 * Abandonment rules as data, one entry per jurisdiction, so the ledger, the pacing controller
 * and the dialer read the same numbers and a new jurisdiction is a new row, not new code.
 *
 * - US FCC (47 CFR 64.1200(a)(7)): at most 3 % of live answers abandoned, measured over a
 *   30-day period per campaign; an abandoned call is one not connected to a live agent within
 *   2 s of the person's completed greeting; an unanswered call rings at least 15 s (4 rings).
 * - UK Ofcom (persistent misuse policy): at most 3 % per day per campaign, a recorded message
 *   within 2 s, no-answer after at least 15 s, and a number whose call was abandoned is not
 *   called again within 72 h unless a live agent is guaranteed to be free for it.
 */

/** A jurisdiction whose abandonment rules a campaign follows. */
export const JURISDICTIONS = ['us_fcc', 'uk_ofcom'] as const;
/** One jurisdiction. */
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/** The period over which a jurisdiction measures the abandon rate. */
export type AbandonmentPeriod = { kind: 'rolling_days'; days: number } | { kind: 'day' };

/** One jurisdiction's abandonment rules. */
export interface AbandonmentRules {
  jurisdiction: Jurisdiction;
  /** Highest abandoned ÷ live answers allowed over `period`. */
  maxAbandonRate: number;
  period: AbandonmentPeriod;
  /** A live answer not connected to an agent within this many seconds is abandoned. */
  connectWithinSeconds: number;
  /** An unanswered call rings at least this long before the dialer gives up. */
  minRingSecondsBeforeNoAnswer: number;
  /** After an abandon, the number is not redialled for this many hours (null: no such rule)… */
  noRedialAfterAbandonHours: number | null;
  /** …unless an agent is reserved for the redial. */
  redialAllowedWithReservedAgent: boolean;
}

/** The rules of each jurisdiction. */
export const ABANDONMENT_RULES: Readonly<Record<Jurisdiction, AbandonmentRules>> = {
  us_fcc: {
    jurisdiction: 'us_fcc',
    maxAbandonRate: 0.03,
    period: { kind: 'rolling_days', days: 30 },
    connectWithinSeconds: 2,
    minRingSecondsBeforeNoAnswer: 15,
    noRedialAfterAbandonHours: null,
    redialAllowedWithReservedAgent: true,
  },
  uk_ofcom: {
    jurisdiction: 'uk_ofcom',
    maxAbandonRate: 0.03,
    period: { kind: 'day' },
    connectWithinSeconds: 2,
    minRingSecondsBeforeNoAnswer: 15,
    noRedialAfterAbandonHours: 72,
    redialAllowedWithReservedAgent: true,
  },
};

/**
 * Whether a contact whose last abandoned call was at `lastAbandonedAt` (ms, or null) may be
 * dialled at `at`: always with a reserved agent, else only once the no-redial window is over.
 */
export function mayRedialAfterAbandon(
  rules: AbandonmentRules,
  lastAbandonedAt: number | null,
  at: number,
  agentReserved: boolean,
): boolean {
  if (lastAbandonedAt === null || rules.noRedialAfterAbandonHours === null) return true;
  if (agentReserved && rules.redialAllowedWithReservedAgent) return true;
  return at - lastAbandonedAt >= rules.noRedialAfterAbandonHours * 3_600_000;
}
