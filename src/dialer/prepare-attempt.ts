import { type CallStatus, WAITING_STATUSES } from '../domain/call-status.ts';
import type { Clock } from '../domain/clock.ts';
import type { CallTelemetry } from '../observability/call-telemetry.ts';
import type { CallPlan } from '../service/calls/call-plan.ts';
import { decideFromFacts, decisionJson } from '../service/calls/decide.ts';
import { DIRECT_CALL_WINDOW } from '../service/calls/plan-direct-call.ts';
import { presentCall } from '../service/calls/present-call.ts';
import { recordTransition } from '../service/calls/record-transition.ts';
import type { StoredCampaign } from '../service/resources/campaigns.ts';
import type { StoredContact } from '../service/resources/contacts.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { appendCallEvent, listAttempts, updateCall } from '../store/calls/calls.ts';
import { loadDialFacts } from '../store/calls/load-dial-facts.ts';
import type { Db } from '../store/database.ts';
import { type SelectedAgent, selectedAgentOf } from './agent-selection.ts';
import { beginAttempt } from './attempt-steps.ts';
import { handedToHolder } from './registered-agent-holder.ts';

/** An attempt written and ready to dial. */
export interface PreparedAttempt {
  call: CallRow;
  attempt: number;
  agent: SelectedAgent;
}

/**
 * Re-checks a claimed call just before dialling — campaign still running, compliance at this
 * instant (a call can age into a DNC entry or out of its window), an agent free — and writes
 * the attempt. Returns 'waiting_for_agent' when no agent is free (the call waits `agentWaitMs`),
 * undefined when it is not dialled for another reason (deferred, blocked, no longer ours).
 */
export async function prepareAttempt(
  db: Db,
  claimed: CallRow,
  driverName: string,
  clock: Clock,
  agentWaitMs: number,
  telemetry?: CallTelemetry,
): Promise<PreparedAttempt | 'waiting_for_agent' | undefined> {
  // One read for every fact below (the fresh row, campaign, contact, stats, DNC, a free agent).
  const facts = await loadDialFacts(db, claimed.tenant_id, claimed.id, claimed.lease_owner);
  const call = facts?.call;
  if (
    !facts ||
    !call ||
    !WAITING_STATUSES.includes(call.status as CallStatus) ||
    call.lease_owner !== claimed.lease_owner
  )
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
          { ...release, outcome: null, decision: decisionJson(decision) as never },
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
          { ...release, next_attempt_at: due, scheduled_for: due, decision: decisionJson(decision) as never },
          { decision: decisionJson(decision) },
          now,
        ),
      );
    if (!scheduled) return undefined;
    await telemetry?.callSettledBeforeDial(scheduled, async () => campaign?.data.status ?? null);
    return undefined;
  }
  const agent = facts.freeAgent ? selectedAgentOf(facts.freeAgent) : undefined;
  if (!agent) {
    // No free agent: look again after the wait rather than spin — or sooner, when one of the
    // campaign's agents finishes a call on this node (claimAgentWaiters). No scheduled_for is
    // what marks the call as waiting for an agent rather than deferred to a time.
    const wait = { ...release, next_attempt_at: new Date(now.getTime() + agentWaitMs), scheduled_for: null };
    if (call.waiting_for_agent) await updateCall(db, call.tenant_id, call.id, wait, now);
    else
      await startWaitingForAgent(db, call, wait, {
        campaignAgents: campaign?.data.agentIds.length ?? 0,
        campaignStatus: campaign?.data.status ?? null,
        now,
      });
    return 'waiting_for_agent';
  }
  // The agent's phone is registered through another node: that node dials it.
  if (await handedToHolder(db, call, agent, now)) return undefined;
  const begun = await beginAttempt(
    db,
    call,
    agent.userId,
    decisionJson(decision),
    driverName,
    clock,
    agent.sessionId,
  );
  // A cancel accepted since the read above won: the call is not ours to dial any more.
  if (!begun) return undefined;
  return { call: begun.call, attempt: begun.n, agent };
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
  context: { campaignAgents: number; campaignStatus: string | null; now: Date },
): Promise<void> {
  const { campaignAgents, campaignStatus, now } = context;
  const detail = call.requested_user_id
    ? `User '${call.requested_user_id}' is busy, not active or not reachable; the call is dialled as soon as they are free.`
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
