import { type CallOutcome, type CallStatus, LIVE_STATUSES } from '../domain/call-status.ts';
import { recordTransitions, type TransitionRequest } from '../service/calls/record-transition.ts';
import type { StoredCampaign } from '../service/resources/campaigns.ts';
import {
  type AttemptKey,
  deleteAttempts,
  insertAttempts,
  loadRetryFacts,
  lockCalls,
  settleAttempts,
} from '../store/calls/attempt-batches.ts';
import { type AttemptMediaFacts, recordAttemptsMedia } from '../store/calls/attempt-media.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { appendCallEvent } from '../store/calls/calls.ts';
import type { TransitionChanges } from '../store/calls/transition-call.ts';
import type { Executor } from '../store/database.ts';
import type { StoreOperation } from '../store/store-operation.ts';
import { chooseRetry } from './retry-policy.ts';

/** The end of an attempt: how it ended, as the driver reported it. */
export interface AttemptResult {
  outcome: CallOutcome;
  sipStatus: number | null;
  sipReason: string | null;
  /** True when the contact was connected (the call happened). */
  talked: boolean;
  /** What the attempt record keeps of the contact's answer and media, when it answered. */
  media?: AttemptMediaFacts;
}

/** One step of a call's life, as the dialer's sessions hand it to the group commit. */
export type CallStep =
  /**
   * Writes attempt n = attempts_made + 1 and moves the call to dialing_user — or, taken by the
   * agent's session (`sessionId`), to dialing_contact: its agent is up.
   */
  | {
      kind: 'begin';
      call: CallRow;
      /** Null for a contact-first dial with no agent reserved (predictive): set at the answer. */
      userId: string | null;
      decision: unknown;
      driver: string;
      sessionId?: string;
      /** The contact is rung first with no agent yet (predictive): straight to dialing_contact. */
      contactFirst?: true;
    }
  /** A status change of a call this node holds (dialing_contact, connected). */
  | {
      kind: 'transition';
      call: CallRow;
      status: CallStatus;
      changes: TransitionChanges;
      extra: Record<string, unknown>;
      /** Facts of the attempt learnt with this change (written first: the event shows them). */
      attemptFacts?: AttemptFacts;
    }
  /**
   * Settles attempt n and decides the call's next state: completed after a conversation,
   * canceled on request, else retry (queued at the gap) or failed per the policy.
   */
  | { kind: 'finish'; tenantId: string; callId: string; n: number; result: AttemptResult }
  /** A timeline entry that changes no status (`call.analysis`), on a call this node holds. */
  | {
      kind: 'event';
      call: CallRow;
      type: string;
      data: Record<string, unknown>;
      attemptFacts?: AttemptFacts;
    };

/** Media facts of attempt `n` of a step's call. */
export interface AttemptFacts {
  n: number;
  facts: AttemptMediaFacts;
}

/** What each step answers (undefined: the call had moved on, nothing of the step was written). */
export type StepAnswer<S extends CallStep> = S extends { kind: 'begin' }
  ? { call: CallRow; n: number } | undefined
  : CallRow | undefined;

/** The call a step is about, as `tenant/id` (a batch holds at most one step per call). */
export function stepCallKey(step: CallStep): string {
  return step.kind === 'finish'
    ? `${step.tenantId}/${step.callId}`
    : `${step.call.tenant_id}/${step.call.id}`;
}

/**
 * Writes a batch of steps — at most one per call — inside the caller's transaction with a fixed
 * number of set-based statements, whatever the batch's size: the attempts begun (one INSERT),
 * the finished calls locked (one SELECT … FOR UPDATE) and their attempts settled (one UPDATE),
 * the retry decision's facts (one SELECT, only when a finish needs it), every status change and
 * its timeline entry (recordTransitions: one UPDATE, one INSERT), and, rarely, the attempts of
 * calls that had moved on meanwhile removed again (a cancel won the race: they are not dialled).
 */
export async function writeSteps(tx: Executor, steps: readonly CallStep[], now: Date): Promise<unknown[]> {
  const begins = steps.flatMap((step, i) => (step.kind === 'begin' ? [{ step, i }] : []));
  const finishes = steps.flatMap((step, i) => (step.kind === 'finish' ? [{ step, i }] : []));
  await insertAttempts(
    tx,
    begins.map(({ step }) => ({
      tenantId: step.call.tenant_id,
      callId: step.call.id,
      n: step.call.attempts_made + 1,
      userId: step.userId,
      startedAt: now,
      decision: step.decision,
      driver: step.driver,
    })),
  );
  const locked = await lockCalls(
    tx,
    finishes.map(({ step }) => ({ tenantId: step.tenantId, callId: step.callId })),
  );
  const settled = await settleAttempts(
    tx,
    finishes.map(({ step }) => ({
      tenantId: step.tenantId,
      callId: step.callId,
      n: step.n,
      outcome: step.result.outcome,
      sipStatus: step.result.sipStatus,
      sipReason: step.result.sipReason,
      endedAt: now,
      ...(step.result.media ? { media: step.result.media } : {}),
    })),
  );
  // Media facts learnt on the way (answer, verdict, connect) in one statement, before the entries
  // below that present them (an ending attempt's came with its settle).
  await recordAttemptsMedia(
    tx,
    steps.flatMap((step) =>
      (step.kind === 'transition' || step.kind === 'event') && step.attemptFacts
        ? [
            {
              key: { tenantId: step.call.tenant_id, callId: step.call.id, n: step.attemptFacts.n },
              facts: step.attemptFacts.facts,
            },
          ]
        : [],
    ),
  );
  const answers: unknown[] = steps.map(() => undefined);
  const requests: { i: number; request: TransitionRequest }[] = [];
  const deciding: { i: number; call: CallRow; step: Extract<CallStep, { kind: 'finish' }> }[] = [];
  for (const { step, i } of begins) {
    const n = step.call.attempts_made + 1;
    requests.push({
      i,
      request: {
        call: step.call,
        status: step.sessionId || step.contactFirst ? 'dialing_contact' : 'dialing_user',
        changes: { attempts_made: n, user_id: step.userId },
        extra: step.sessionId
          ? { attempt: n, sessionId: step.sessionId }
          : step.contactFirst
            ? { attempt: n, contactFirst: true }
            : { attempt: n },
      },
    });
  }
  for (const { step, i } of steps.flatMap((step, i) => (step.kind === 'transition' ? [{ step, i }] : [])))
    requests.push({ i, request: step });
  finishes.forEach(({ step, i }, f) => {
    const call = locked.get(`${step.tenantId}/${step.callId}`);
    answers[i] = call;
    if (!call || !settled[f] || !LIVE_STATUSES.includes(call.status as CallStatus)) return;
    const { result, n } = step;
    const release = { lease_owner: null, leased_until: null } as const;
    const attempt = { attempt: n, sipStatus: result.sipStatus, sipReason: result.sipReason };
    if (result.outcome === 'canceled' || call.cancel_requested)
      requests.push({
        i,
        request: { call, status: 'canceled', changes: { ...release, outcome: 'canceled' }, extra: attempt },
      });
    else if (result.talked)
      requests.push({
        i,
        request: { call, status: 'completed', changes: { ...release, outcome: 'answered' }, extra: attempt },
      });
    else deciding.push({ i, call, step });
  });
  const facts = await loadRetryFacts(
    tx,
    deciding.map(({ call }) => call),
  );
  deciding.forEach(({ i, call, step }, d) => {
    const { result, n } = step;
    const fact = facts[d];
    // The campaign's settings as stored (absent for direct calls and campaigns since deleted).
    const settings = fact as
      | Partial<Pick<StoredCampaign, 'retryPolicy' | 'maxAttemptsPerContact'>>
      | undefined;
    const release = { lease_owner: null, leased_until: null } as const;
    const attempt = { attempt: n, sipStatus: result.sipStatus, sipReason: result.sipReason };
    const choice = chooseRetry(
      result.outcome,
      settings?.retryPolicy ?? null,
      fact?.contactAttempts ?? n,
      settings?.maxAttemptsPerContact ?? 1,
      fact?.agentMisses ?? 0,
    );
    if (choice.retry) {
      const due = new Date(now.getTime() + choice.delaySeconds * 1000);
      requests.push({
        i,
        request: {
          call,
          status: 'queued',
          changes: { ...release, outcome: result.outcome, next_attempt_at: due, scheduled_for: due },
          extra: { ...attempt, retry: choice.why, nextAttemptAt: due.toISOString() },
        },
      });
    } else
      requests.push({
        i,
        request: {
          call,
          status: 'failed',
          changes: { ...release, outcome: result.outcome },
          extra: { ...attempt, reason: choice.why },
        },
      });
  });
  // Rare (one per analysed answer): a statement pair each is cheaper than a set-based path.
  for (const [i, step] of steps.entries()) {
    if (step.kind !== 'event') continue;
    await appendCallEvent(tx, {
      tenantId: step.call.tenant_id,
      callId: step.call.id,
      campaignId: step.call.campaign_id,
      type: step.type,
      data: step.data,
    });
    answers[i] = step.call;
  }
  const rows = await recordTransitions(
    tx,
    requests.map(({ request }) => request),
    now,
  );
  const beginsLost: AttemptKey[] = [];
  requests.forEach(({ i, request }, r) => {
    const row = rows[r];
    const step = steps[i] as CallStep;
    if (step.kind === 'begin') {
      const n = step.call.attempts_made + 1;
      if (row) answers[i] = { call: row, n };
      else beginsLost.push({ tenantId: request.call.tenant_id, callId: request.call.id, n });
    } else answers[i] = row;
  });
  // A cancel accepted since the pre-dial read won: the call is not ours to dial any more.
  await deleteAttempts(tx, beginsLost);
  return answers;
}

/**
 * A batch of steps in its own transaction, where the store runs: on the embedded store the whole
 * batch crosses to PGlite's thread once instead of once per statement.
 */
export const writeStepsOperation: StoreOperation<{ steps: readonly CallStep[]; now: Date }, unknown[]> = {
  name: 'dialer.write-steps',
  inserts: ['call_attempts', 'call_events'],
  run: (db, { steps, now }) => db.transaction().execute((tx) => writeSteps(tx, steps, now)),
};
