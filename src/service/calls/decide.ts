import { type Decision, evaluateCall, zoneForContact } from '../../domain/compliance/index.ts';
import { contactAttemptStats } from '../../store/calls/calls.ts';
import { isOnDnc } from '../../store/calls/dnc.ts';
import type { Executor } from '../../store/database.ts';
import type { CallPlan } from './call-plan.ts';

/** A calling window as campaigns store it. */
export interface CallingWindowSpec {
  start: string;
  end: string;
}

/** The compliance decision a call gets at `at`: DNC, consent, attempt cap, redial gap, window. */
export async function decide(db: Executor, tenantId: string, plan: CallPlan, at: Date): Promise<Decision> {
  const stats =
    plan.campaignId && plan.contactId
      ? await contactAttemptStats(db, tenantId, plan.campaignId, plan.contactId)
      : { attempts: 0, lastEndedAt: null };
  return evaluateCall({
    at,
    window: plan.window,
    zones: zoneForContact({
      timezone: plan.contactTimezone,
      number: plan.toNumber,
      fallbackTimezone: plan.fallbackTimezone,
    }),
    dnc: await isOnDnc(db, tenantId, plan.toNumber),
    consent: plan.consent ?? undefined,
    attemptsMade: stats.attempts,
    maxAttempts: plan.maxAttempts,
    lastAttemptEndedAt: stats.lastEndedAt ?? undefined,
    minRedialGapSeconds: plan.minRedialGapSeconds,
    outsideWindow: plan.outsideWindow,
  });
}

/** A decision as stored and answered (instants as RFC 3339 strings). */
export function decisionJson(decision: Decision): Record<string, unknown> {
  return JSON.parse(JSON.stringify(decision)) as Record<string, unknown>;
}
