import { type CallOutcome, type CallStatus, LIVE_STATUSES } from '../domain/call-status.ts';
import type { Clock } from '../domain/clock.ts';
import { recordTransition } from '../service/calls/record-transition.ts';
import type { StoredCampaign } from '../service/resources/campaigns.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import {
  contactAttemptStats,
  findCall,
  insertAttempt,
  listAttempts,
  settleAttempt,
} from '../store/calls/calls.ts';
import type { Db, Executor } from '../store/database.ts';
import { ResourceRepository } from '../store/resources.ts';
import { chooseRetry } from './retry-policy.ts';

const campaigns = new ResourceRepository<StoredCampaign>('campaigns');

/** The status of a call's campaign now (null for direct calls), for failure telemetry. */
export async function campaignStatusOf(db: Executor, call: CallRow): Promise<string | null> {
  if (!call.campaign_id) return null;
  return (await campaigns.find(db, call.tenant_id, call.campaign_id))?.data.status ?? null;
}

/** Thrown inside beginAttempt's transaction to roll the attempt back. */
class CallMovedOn extends Error {}

/**
 * Writes attempt n and moves the call to dialing_user — committed before any dial starts. A
 * call taken by the agent's session (`sessionId`) goes to dialing_contact: its agent is up.
 * Undefined when the call left its waiting state meanwhile (a cancel won the race): nothing is
 * written and the call must not be dialled.
 */
export async function beginAttempt(
  db: Db,
  call: CallRow,
  userId: string,
  decision: unknown,
  driver: string,
  clock: Clock,
  sessionId?: string,
): Promise<{ call: CallRow; n: number } | undefined> {
  const begin = db.transaction().execute(async (tx) => {
    const n = call.attempts_made + 1;
    await insertAttempt(tx, {
      tenant_id: call.tenant_id,
      call_id: call.id,
      n,
      user_id: userId,
      started_at: clock.now(),
      decision,
      driver,
    });
    const updated = await recordTransition(
      tx,
      call,
      sessionId ? 'dialing_contact' : 'dialing_user',
      { attempts_made: n, user_id: userId, decision: decision as never },
      sessionId ? { attempt: n, sessionId } : { attempt: n },
      clock.now(),
    );
    if (!updated) throw new CallMovedOn();
    return { call: updated, n };
  });
  return begin.catch((error: unknown) => {
    if (error instanceof CallMovedOn) return undefined;
    throw error;
  });
}

/** The end of an attempt: how it ended, as the driver reported it. */
export interface AttemptResult {
  outcome: CallOutcome;
  sipStatus: number | null;
  sipReason: string | null;
  /** True when the contact was connected (the call happened). */
  talked: boolean;
}

/**
 * Settles attempt n and decides the call's next state in one transaction: completed after a
 * conversation, canceled on request, else retry (queued at the gap) or failed per the policy.
 * A second settle of the same attempt is a no-op, so recovery and a late driver event agree.
 */
export async function finishAttempt(
  db: Db,
  tenantId: string,
  callId: string,
  n: number,
  result: AttemptResult,
  clock: Clock,
): Promise<CallRow | undefined> {
  return db.transaction().execute(async (tx) => {
    const call = await findCall(tx, tenantId, callId, true);
    if (!call) return undefined;
    const settled = await settleAttempt(
      tx,
      { tenantId, callId, n },
      {
        outcome: result.outcome,
        sipStatus: result.sipStatus,
        sipReason: result.sipReason,
        endedAt: clock.now(),
      },
    );
    if (!settled || !LIVE_STATUSES.includes(call.status as CallStatus)) return call;
    const release = { lease_owner: null, leased_until: null } as const;
    const attempt = { attempt: n, sipStatus: result.sipStatus, sipReason: result.sipReason };
    if (result.outcome === 'canceled' || call.cancel_requested) {
      return recordTransition(
        tx,
        call,
        'canceled',
        { ...release, outcome: 'canceled' },
        attempt,
        clock.now(),
      );
    }
    if (result.talked)
      return recordTransition(
        tx,
        call,
        'completed',
        { ...release, outcome: 'answered' },
        attempt,
        clock.now(),
      );
    const campaign = call.campaign_id ? await campaigns.find(tx, tenantId, call.campaign_id) : undefined;
    const stats =
      call.campaign_id && call.contact_id
        ? await contactAttemptStats(tx, tenantId, call.campaign_id, call.contact_id)
        : { attempts: n };
    const attempts = await listAttempts(tx, tenantId, [callId]);
    const agentMisses = attempts.filter((a) => a.outcome === 'agent_no_answer').length;
    const choice = chooseRetry(
      result.outcome,
      campaign?.data.retryPolicy ?? null,
      stats.attempts,
      campaign?.data.maxAttemptsPerContact ?? 1,
      agentMisses,
    );
    if (choice.retry) {
      const due = new Date(clock.now().getTime() + choice.delaySeconds * 1000);
      return recordTransition(
        tx,
        call,
        'queued',
        { ...release, outcome: result.outcome, next_attempt_at: due, scheduled_for: due },
        { ...attempt, retry: choice.why, nextAttemptAt: due.toISOString() },
        clock.now(),
      );
    }
    return recordTransition(
      tx,
      call,
      'failed',
      { ...release, outcome: result.outcome },
      { ...attempt, reason: choice.why },
      clock.now(),
    );
  });
}
