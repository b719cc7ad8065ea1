import { type CallStatus, WAITING_STATUSES } from '../domain/call-status.ts';
import type { Clock } from '../domain/clock.ts';
import type { Decision } from '../domain/compliance/index.ts';
import { mayRedialAfterAbandon } from '../domain/pacing/abandonment-rules.ts';
import { abandonmentRulesFor } from '../domain/pacing/campaign-jurisdiction.ts';
import type { CallTelemetry } from '../observability/call-telemetry.ts';
import type { CallPlan } from '../service/calls/call-plan.ts';
import { decideFromFacts, decisionJson } from '../service/calls/decide.ts';
import { DIRECT_CALL_WINDOW } from '../service/calls/plan-direct-call.ts';
import { presentCall } from '../service/calls/present-call.ts';
import { recordTransition } from '../service/calls/record-transition.ts';
import { dialingSettingsOf } from '../service/resources/campaign-dialing.ts';
import type { StoredCampaign } from '../service/resources/campaigns.ts';
import type { StoredContact } from '../service/resources/contacts.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { appendCallEvent, listAttempts, updateCall } from '../store/calls/calls.ts';
import { lastAbandonedAt } from '../store/calls/last-abandoned.ts';
import { type BatchDialFacts, type FreeAgent, loadDialFactsBatch } from '../store/calls/load-dial-facts.ts';
import type { Db } from '../store/database.ts';
import { type SelectedAgent, selectedAgentOf } from './agent-selection.ts';
import type { CallStepWriter } from './call-step-writer.ts';
import type { CallStep, StepAnswer } from './call-steps.ts';
import { type ContactFirst, contactFirstOf } from './contact-first.ts';
import { handedToHolder } from './registered-agent-holder.ts';

/** An attempt written and ready to dial. */
export interface PreparedAttempt {
  call: CallRow;
  attempt: number;
  /** The agent reserved for the attempt; null for a predictive dial (found at the live answer). */
  agent: SelectedAgent | null;
  /** Contact-first (issue 17): how; undefined for agent first. */
  contactFirst?: ContactFirst;
  /** The call's campaign as read with the batch (null for a direct call). */
  campaign: StoredCampaign | null;
}

/** Settings and collaborators of the pre-dial step. */
export interface PrepareContext {
  db: Db;
  steps: CallStepWriter;
  driverName: string;
  clock: Clock;
  agentWaitMs: number;
  telemetry?: CallTelemetry;
  /** Calls whose agent is already decided (an accepted preview offer's reserved agent), by call id. */
  reservedAgents?: ReadonlyMap<string, FreeAgent>;
  /** Predictive campaigns (`tenant/campaign`) whose ledger is restricted: they dial reserved. */
  restrictedCampaigns?: ReadonlySet<string>;
}

/**
 * Re-checks a claimed batch of calls just before dialling — campaign still running, compliance
 * at this instant (a call can age into a DNC entry or out of its window), an agent free — with
 * ONE read for the whole batch, and writes all of the batch's attempts in one group commit
 * before any of them is dialled. Answers in order, per call: the attempt to dial,
 * 'waiting_for_agent' when no agent is free (the call waits `agentWaitMs`), or undefined when it
 * is not dialled for another reason (deferred, blocked, no longer ours, a cancel won the race).
 */
export async function prepareAttempts(
  context: PrepareContext,
  claimed: readonly CallRow[],
  /** The batch's facts when they came with the claim (claimDueWithFactsOperation), in its order. */
  factsRead?: readonly (BatchDialFacts | undefined)[],
): Promise<(PreparedAttempt | 'waiting_for_agent' | undefined)[]> {
  const { db } = context;
  const facts =
    factsRead ??
    (await loadDialFactsBatch(
      db,
      claimed.map((c) => ({ tenantId: c.tenant_id, callId: c.id })),
      claimed[0]?.lease_owner ?? null,
    ));
  // Agents this batch already gave a call to: calls sharing a campaign take its free agents in turn.
  const taken = new Set<string>();
  const answers: (PreparedAttempt | 'waiting_for_agent' | undefined)[] = claimed.map(() => undefined);
  const begins: {
    i: number;
    agent: SelectedAgent | null;
    contactFirst: ContactFirst | undefined;
    campaign: StoredCampaign | null;
    answer: Promise<StepAnswer<BeginStep>>;
  }[] = [];
  for (const [i, row] of claimed.entries()) {
    const fact = facts[i];
    if (!fact) continue;
    const ready = await checkBeforeDial(context, row, fact);
    if (!ready) continue;
    const { call, decision } = ready;
    const stored = (fact.campaign as StoredCampaign | null) ?? null;
    const contactFirst = contactFirstOf(
      stored,
      context.restrictedCampaigns?.has(`${call.tenant_id}/${call.campaign_id}`) ?? false,
    );
    if (contactFirst === 'unreserved') {
      if (await heldByRedialRule(context, call, stored)) continue;
      const step: BeginStep = {
        kind: 'begin',
        call,
        userId: null,
        decision: decisionJson(decision),
        driver: context.driverName,
        contactFirst: true,
      };
      begins.push({ i, agent: null, contactFirst, campaign: stored, answer: context.steps.write(step) });
      continue;
    }
    // Contact-first with an agent reserved: only a session agent (leg up) can be bridged at once.
    const candidates =
      contactFirst === 'reserved' ? fact.freeAgents.filter((a) => a.sessionId) : fact.freeAgents;
    const free =
      context.reservedAgents?.get(call.id) ?? candidates.find((a) => !taken.has(`${call.tenant_id}/${a.id}`));
    if (!free) {
      await waitForAgent(context, call, stored, contactFirst !== undefined);
      answers[i] = 'waiting_for_agent';
      continue;
    }
    taken.add(`${call.tenant_id}/${free.id}`);
    // The free-agent read only offers users with a device, so there is always someone to ring.
    const agent = selectedAgentOf(free);
    if (!agent) continue;
    // The agent's phone is registered through another node: that node dials it.
    if (await handedToHolder(db, call, agent, context.clock.now())) continue;
    const step: BeginStep = {
      kind: 'begin',
      call,
      userId: agent.userId,
      decision: decisionJson(decision),
      driver: context.driverName,
      ...(agent.sessionId ? { sessionId: agent.sessionId } : {}),
    };
    // Not awaited one by one: every begin of the batch joins the same group commit.
    const campaign = (fact.campaign as StoredCampaign | null) ?? null;
    begins.push({ i, agent, contactFirst, campaign, answer: context.steps.write(step) });
  }
  for (const { i, agent, contactFirst, campaign, answer } of begins) {
    const begun = await answer;
    // A cancel accepted since the read above won: the call is not ours to dial any more.
    if (begun)
      answers[i] = {
        call: begun.call,
        attempt: begun.n,
        agent,
        campaign,
        ...(contactFirst ? { contactFirst } : {}),
      };
  }
  return answers;
}

type BeginStep = Extract<CallStep, { kind: 'begin' }>;

/**
 * A predictive dial (no agent reserved) to a number abandoned within its jurisdiction's
 * no-redial window (UK Ofcom: 72 h) waits until the window is over: the call is scheduled then.
 */
async function heldByRedialRule(
  context: PrepareContext,
  call: CallRow,
  campaign: StoredCampaign | null,
): Promise<boolean> {
  const rules = campaign ? abandonmentRulesFor(dialingSettingsOf(campaign).jurisdiction) : null;
  if (!rules?.noRedialAfterAbandonHours) return false;
  const { db, clock, telemetry } = context;
  const last = await lastAbandonedAt(db, call.tenant_id, call.to_number);
  const now = clock.now();
  if (mayRedialAfterAbandon(rules, last?.getTime() ?? null, now.getTime(), false)) return false;
  const due = new Date((last as Date).getTime() + rules.noRedialAfterAbandonHours * 3_600_000);
  const release = { lease_owner: null, leased_until: null };
  const detail = `${rules.jurisdiction}: this number's call was abandoned at ${(last as Date).toISOString()}; it is not called again without an agent reserved within ${rules.noRedialAfterAbandonHours} h.`;
  const scheduled = await db
    .transaction()
    .execute((tx) =>
      recordTransition(
        tx,
        call,
        'scheduled',
        { ...release, next_attempt_at: due, scheduled_for: due },
        { reason: 'no_redial_after_abandon', detail },
        now,
      ),
    );
  if (scheduled) await telemetry?.callSettledBeforeDial(scheduled, async () => campaign?.status ?? null);
  return true;
}

/**
 * The checks of one call of the batch: still waiting and ours, its campaign running, the
 * compliance decision allowed now. A call that fails them is released, blocked or scheduled
 * here (rare: one call's own writes) and undefined is answered.
 */
async function checkBeforeDial(
  context: PrepareContext,
  claimed: CallRow,
  facts: BatchDialFacts,
): Promise<{ call: CallRow; decision: Decision } | undefined> {
  const { db, clock, telemetry } = context;
  const call = facts.call;
  if (!WAITING_STATUSES.includes(call.status as CallStatus) || call.lease_owner !== claimed.lease_owner)
    return undefined;
  const release = { lease_owner: null, leased_until: null };
  const campaign = facts.campaign === null ? undefined : { data: facts.campaign as StoredCampaign };
  if (call.campaign_id && campaign?.data.status !== 'running') {
    await updateCall(db, call.tenant_id, call.id, release, clock.now());
    return undefined;
  }
  const contact = facts.contact === null ? undefined : { data: facts.contact as StoredContact };
  const plan: CallPlan = {
    kind: call.kind,
    campaignId: call.campaign_id,
    campaignStatus: campaign?.data.status ?? null,
    contactId: call.contact_id,
    toNumber: call.to_number,
    phoneType: call.phone_type,
    requestedUserId: call.requested_user_id,
    callerId: call.caller_id,
    reason: call.reason,
    metadata: call.metadata,
    notBefore: call.not_before,
    outsideWindow: 'schedule',
    window: campaign?.data.callingWindow ?? DIRECT_CALL_WINDOW,
    contactTimezone: contact?.data.timezone ?? null,
    fallbackTimezone: campaign?.data.timezone ?? null,
    consent: contact?.data.consent ?? null,
    maxAttempts: campaign?.data.maxAttemptsPerContact ?? 1,
    minRedialGapSeconds: campaign?.data.retryPolicy.minRedialGapSeconds ?? 0,
    // The dialer waits for a free agent (and says so with call.waiting_for_agent) instead.
    activeAgents: null,
  };
  const now = clock.now();
  // Retries were already spaced by the policy when they were queued; the gap rule here guards
  // against other calls to the same contact.
  const decision = decideFromFacts(
    { ...plan, minRedialGapSeconds: call.attempts_made > 0 ? 0 : plan.minRedialGapSeconds },
    now,
    { attempts: facts.attempts, lastEndedAt: facts.lastEndedAt, onDnc: facts.onDnc },
  );
  if (
    decision.outcome === 'refused' ||
    (decision.outcome === 'deferred' && decision.nextAllowedAt === null)
  ) {
    const blocked = await db
      .transaction()
      .execute((tx) =>
        recordTransition(
          tx,
          call,
          'blocked',
          { ...release, outcome: null },
          { decision: decisionJson(decision) },
          now,
        ),
      );
    if (!blocked) return undefined;
    await telemetry?.callSettledBeforeDial(blocked, async () => campaign?.data.status ?? null);
    return undefined;
  }
  if (decision.outcome === 'deferred' && decision.nextAllowedAt) {
    const due = decision.nextAllowedAt;
    const scheduled = await db
      .transaction()
      .execute((tx) =>
        recordTransition(
          tx,
          call,
          'scheduled',
          { ...release, next_attempt_at: due, scheduled_for: due },
          { decision: decisionJson(decision) },
          now,
        ),
      );
    if (!scheduled) return undefined;
    await telemetry?.callSettledBeforeDial(scheduled, async () => campaign?.data.status ?? null);
    return undefined;
  }
  return { call, decision };
}

/**
 * No free agent: look again after the wait rather than spin — or sooner, when one of the
 * campaign's agents finishes a call on this node (claimAgentWaiters). No scheduled_for is what
 * marks the call as waiting for an agent rather than deferred to a time.
 */
async function waitForAgent(
  context: PrepareContext,
  call: CallRow,
  campaign: StoredCampaign | null,
  contactFirst = false,
) {
  const { db, clock, agentWaitMs } = context;
  const now = clock.now();
  const release = { lease_owner: null, leased_until: null };
  const wait = { ...release, next_attempt_at: new Date(now.getTime() + agentWaitMs), scheduled_for: null };
  if (call.waiting_for_agent) await updateCall(db, call.tenant_id, call.id, wait, now);
  else
    await startWaitingForAgent(db, call, wait, {
      campaignAgents: campaign?.agentIds.length ?? 0,
      contactFirst,
      campaignStatus: campaign?.status ?? null,
      now,
    });
}

/**
 * The first time the dialer finds no free agent for a call: marks it waiting and says so on its
 * timeline (`call.waiting_for_agent`, once per wait — a transition clears the mark), so a call
 * that sits queued is never silent about why.
 */
async function startWaitingForAgent(
  db: Db,
  call: CallRow,
  wait: { lease_owner: null; leased_until: null; next_attempt_at: Date; scheduled_for: null },
  context: { campaignAgents: number; campaignStatus: string | null; now: Date; contactFirst: boolean },
): Promise<void> {
  const { campaignAgents, campaignStatus, now } = context;
  const detail = call.requested_user_id
    ? `User '${call.requested_user_id}' is busy, not active or not reachable; the call is dialled as soon as they are free.`
    : context.contactFirst
      ? `None of the campaign's ${campaignAgents} agents has a personal-connection session with a free agent (contact-first dialing bridges only session agents); the call is dialled as soon as one is.`
      : `None of the campaign's ${campaignAgents} agents is free (busy, not active or not reachable); the call is dialled as soon as one is.`;
  await db.transaction().execute(async (tx) => {
    await updateCall(tx, call.tenant_id, call.id, { ...wait, waiting_for_agent: true }, now);
    await appendCallEvent(tx, {
      tenantId: call.tenant_id,
      callId: call.id,
      campaignId: call.campaign_id,
      type: 'call.waiting_for_agent',
      // Like every call event: the call as it is now and its campaign's status.
      data: {
        call: presentCall({ ...call, ...wait }, await listAttempts(tx, call.tenant_id, [call.id])),
        campaignStatus,
        detail,
        nextCheckAt: wait.next_attempt_at.toISOString(),
      },
    });
  });
}
