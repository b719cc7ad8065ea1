import { canTransition } from '../../domain/agent-state.ts';
import { campaignOfCall } from '../../store/agent-sessions/call-campaign.ts';
import { type SessionRow, updateSession } from '../../store/agent-sessions/session-rows.ts';
import type { Executor } from '../../store/database.ts';
import { type AppliedAgentEvent, agentStateOf, applyAgentEvent, endWrapUp } from './agent-state-changes.ts';
import { wrapUpSecondsOf } from './wrap-up-seconds.ts';

/*
 * What a call does to the agent state of the session carrying it, as the dialer's session leg
 * reports it: reserved while the contact is rung, on_call once bridged, then wrap-up (or
 * available again when the contact was never reached). Each runs in the transaction that holds
 * the session's row lock, and answers the changes it applied (for metrics).
 */

/**
 * A call took the session's agent (the contact is rung next): reserved. A pause that landed
 * between the routing read and now does not strand the call: it is kept as a pause requested,
 * applied when the call is over.
 */
export async function callStartedFor(
  tx: Executor,
  row: SessionRow,
  callId: string,
  now: Date,
): Promise<AppliedAgentEvent[]> {
  const applied: AppliedAgentEvent[] = [];
  let current = row;
  if (current.agent_state === 'paused') {
    const reason = current.pause_reason ?? 'paused';
    const resumed = await applyAgentEvent(tx, current, { type: 'resume' }, now, { pause_requested: reason });
    applied.push(resumed);
    current = resumed.row;
  }
  // A preview offer accepted is already reserved for this very call: the offer is done (the
  // call is live now), so the session may be offered again after this call.
  if (current.agent_state === 'reserved' && current.state_call_id === callId) {
    if (current.offered_call_id !== null)
      await updateSession(tx, current, { offered_call_id: null, offer_expires_at: null }, now);
    return applied;
  }
  if (canTransition(agentStateOf(current), 'reserve'))
    applied.push(await applyAgentEvent(tx, current, { type: 'reserve', callId }, now));
  return applied;
}

/** The contact was bridged to the agent: on_call. */
export async function contactBridgedFor(
  tx: Executor,
  row: SessionRow,
  now: Date,
): Promise<AppliedAgentEvent[]> {
  const callId = row.current_call_id ?? row.state_call_id;
  if (!callId || !canTransition(agentStateOf(row), 'connect')) return [];
  return [await applyAgentEvent(tx, row, { type: 'connect', callId }, now)];
}

/**
 * The call left the agent: after a conversation, wrap-up for the campaign's wrap-up seconds
 * (`wrap_up_until` in the row; 0 = available at once); without one (the contact never
 * answered), available again. A pause requested during the call applies now.
 */
export async function callEndedFor(
  tx: Executor,
  row: SessionRow,
  now: Date,
  fallbackWrapUpSeconds: number,
): Promise<AppliedAgentEvent[]> {
  const applied: AppliedAgentEvent[] = [];
  if (row.agent_state === 'on_call') {
    const callId = row.state_call_id;
    const campaign = callId ? await campaignOfCall(tx, row.tenant_id, callId) : null;
    const seconds = wrapUpSecondsOf(campaign, fallbackWrapUpSeconds);
    const wrap = await applyAgentEvent(tx, row, { type: 'hang_up' }, now, {
      wrap_up_until: new Date(now.getTime() + seconds * 1000),
    });
    applied.push(wrap);
    if (seconds === 0) applied.push(await endWrapUp(tx, wrap.row, { type: 'wrap_timeout' }, now));
    return applied;
  }
  if (row.agent_state === 'reserved') {
    const released = await applyAgentEvent(tx, row, { type: 'release' }, now, {
      offered_call_id: null,
      offer_expires_at: null,
    });
    applied.push(released);
    if (released.row.pause_requested !== null)
      applied.push(
        await applyAgentEvent(
          tx,
          released.row,
          { type: 'pause', reason: released.row.pause_requested },
          now,
          {
            pause_requested: null,
          },
        ),
      );
  }
  return applied;
}
