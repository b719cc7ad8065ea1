import {
  type Decision,
  evaluateCall,
  type RuleResult,
  zoneForContact,
} from '../../domain/compliance/index.ts';
import { contactAttemptStats } from '../../store/calls/calls.ts';
import { isOnDnc } from '../../store/calls/dnc.ts';
import { ACTIVE_AGENTS_COUNTED } from '../../store/calls/load-campaign-call-facts.ts';
import type { Executor } from '../../store/database.ts';
import type { CallPlan } from './call-plan.ts';

/** A calling window as campaigns store it. */
export interface CallingWindowSpec {
  start: string;
  end: string;
}

/** What the decision needs from the store about the contact and number. */
export interface DecisionFacts {
  attempts: number;
  lastEndedAt: Date | null;
  onDnc: boolean;
}

/** The compliance decision a call gets at `at`: DNC, consent, attempt cap, redial gap, window. */
export async function decide(db: Executor, tenantId: string, plan: CallPlan, at: Date): Promise<Decision> {
  const stats =
    plan.campaignId && plan.contactId
      ? await contactAttemptStats(db, tenantId, plan.campaignId, plan.contactId)
      : { attempts: 0, lastEndedAt: null };
  return decideFromFacts(plan, at, {
    attempts: stats.attempts,
    lastEndedAt: stats.lastEndedAt,
    onDnc: await isOnDnc(db, tenantId, plan.toNumber),
  });
}

/**
 * The same decision from facts already read (the batched accept path reads them in bulk), with
 * the agents rule after the compliance rules: a campaign call that waits for the campaign's
 * next agent can never be dialled while no agent of the campaign is an active user.
 */
export function decideFromFacts(plan: CallPlan, at: Date, facts: DecisionFacts): Decision {
  return withAgentsRule(plan, complianceDecision(plan, at, facts));
}

function complianceDecision(plan: CallPlan, at: Date, facts: DecisionFacts): Decision {
  return evaluateCall({
    at,
    window: plan.window,
    zones: zoneForContact({
      timezone: plan.contactTimezone,
      number: plan.toNumber,
      fallbackTimezone: plan.fallbackTimezone,
    }),
    dnc: facts.onDnc,
    consent: plan.consent ?? undefined,
    attemptsMade: facts.attempts,
    maxAttempts: plan.maxAttempts,
    lastAttemptEndedAt: facts.lastEndedAt ?? undefined,
    minRedialGapSeconds: plan.minRedialGapSeconds,
    outsideWindow: plan.outsideWindow,
  });
}

function withAgentsRule(plan: CallPlan, decision: Decision): Decision {
  if (plan.activeAgents === null) return decision;
  if (plan.activeAgents > 0) {
    const count =
      plan.activeAgents >= ACTIVE_AGENTS_COUNTED ? `${plan.activeAgents} or more` : `${plan.activeAgents}`;
    const detail = `${count} active agent${plan.activeAgents === 1 ? '' : 's'} can take the call.`;
    return { ...decision, rules: [...decision.rules, { rule: 'agents', result: 'pass', detail }] };
  }
  const rule: RuleResult = {
    rule: 'agents',
    result: 'fail',
    detail: `Campaign '${plan.campaignId}' has no active agent: its agentIds name no active user, so the call could never be dialled.`,
    hint: `Add agents with PUT /v1/campaigns/${plan.campaignId} {"agentIds": ["<user id>"]} (users need a device and status active), or pass userId to call through one user.`,
  };
  // nextAllowedAt stays the compliance rules' answer: refusals are judged in order (accept-rules.ts).
  return { ...decision, outcome: 'refused', rules: [...decision.rules, rule] };
}

/** A decision as stored and answered (instants as RFC 3339 strings). */
export function decisionJson(decision: Decision): Record<string, unknown> {
  return jsonCopy(decision) as Record<string, unknown>;
}

/**
 * What `JSON.parse(JSON.stringify(value))` gives, built directly: Dates as their ISO text,
 * undefined members left out (null in arrays), non-finite numbers as null. The round trip was
 * 1–2 % of an accepted request's CPU (profiled), and every accepted call makes one or two.
 */
function jsonCopy(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toJSON();
  if (Array.isArray(value))
    return value.map((item) => {
      const copy = jsonCopy(item);
      return copy === undefined || typeof copy === 'function' || typeof copy === 'symbol' ? null : copy;
    });
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out[key] = jsonCopy(item);
  }
  return out;
}
