import { type CallStatus, statusesLeadingTo } from '../../domain/call-status.ts';
import type { CallRow } from '../../store/calls/call-rows.ts';
import {
  insertCallEvents,
  type NewCallEvent,
  type TransitionChanges,
  updateCallsForTransition,
} from '../../store/calls/transition-call.ts';
import type { Executor } from '../../store/database.ts';
import { presentCall } from './present-call.ts';

/** One call's status change: the call as its writer knows it, where it goes, and the entry's extras. */
export interface TransitionRequest {
  call: CallRow;
  status: CallStatus;
  changes: TransitionChanges;
  extra: Record<string, unknown>;
}

/**
 * The one writer of a call's status (DESIGN.md "Storage"): moves each call to its `status` and
 * appends its timeline entry (with the campaign's status at that moment), for any number of
 * calls in two statements — one set-based UPDATE and one multi-row INSERT — so the dialer's
 * group commit (dialer/call-step-writer.ts) writes a whole batch of steps at the cost of one.
 * The allowed predecessors come from the transition table and are checked by the UPDATE itself,
 * not against the caller's copy of the row, so a cancel and a dial racing for the same call
 * cannot both win. Answers in order: undefined for a call that had already moved to a state from
 * which its `status` is not allowed; nothing is written for it then. A call appears at most once.
 */
export async function recordTransitions(
  tx: Executor,
  requests: readonly TransitionRequest[],
  now: Date,
): Promise<(CallRow | undefined)[]> {
  const changed = await updateCallsForTransition(
    tx,
    requests.map(({ call, status, changes }) => ({
      tenantId: call.tenant_id,
      id: call.id,
      status,
      // Any state change ends a wait for an agent (prepare-attempt.ts marks it).
      changes: { ...changes, waiting_for_agent: false },
      from: statusesLeadingTo(status),
      known: call,
    })),
    now,
  );
  const events: NewCallEvent[] = [];
  requests.forEach(({ call, status, extra }, i) => {
    const done = changed[i];
    if (!done) return;
    events.push({
      tenantId: call.tenant_id,
      callId: call.id,
      campaignId: call.campaign_id,
      sequence: done.row.event_sequence,
      type: `call.${status}`,
      data: { call: presentCall(done.row, done.attempts), campaignStatus: done.campaignStatus, ...extra },
    });
  });
  await insertCallEvents(tx, events);
  return changed.map((done) => done?.row);
}

/** recordTransitions for one call (the API's cancel, the dialer's pre-dial settles). */
export async function recordTransition(
  tx: Executor,
  call: CallRow,
  status: CallStatus,
  changes: TransitionChanges,
  extra: Record<string, unknown>,
  now: Date,
): Promise<CallRow | undefined> {
  const [row] = await recordTransitions(tx, [{ call, status, changes, extra }], now);
  return row;
}
