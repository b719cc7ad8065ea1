import {
  type AgentEvent,
  type AgentState,
  type AgentStateChange,
  type AgentStateName,
  canTransition,
  transitionAgent,
} from '../../domain/agent-state.ts';
import { ConflictError } from '../../domain/pconn-error.ts';
import {
  type SessionChanges,
  type SessionRow,
  updateSession,
} from '../../store/agent-sessions/session-rows.ts';
import type { Executor } from '../../store/database.ts';
import { appendSubjectEvent } from '../../store/webhooks/append-subject-event.ts';

/*
 * The one way a session's agent state changes: the persisted state is read back into the pure
 * machine of src/domain/agent-state.ts, the event applied there, and the result written to the
 * row with its `agent.state_changed` event in the caller's transaction (the outbox). The caller
 * holds the row lock, which also keeps the user's event sequence safe.
 */

/** The agent state a session row holds. */
export function agentStateOf(row: SessionRow): AgentState {
  const state: AgentState = {
    name: row.agent_state as AgentStateName,
    since: new Date(row.state_since ?? row.started_at).getTime(),
  };
  if (row.pause_reason) state.pauseReason = row.pause_reason;
  if (row.state_call_id) state.callId = row.state_call_id;
  return state;
}

/** The session columns that store `state`. */
export function stateColumns(state: AgentState): SessionChanges {
  return {
    agent_state: state.name,
    state_since: new Date(state.since),
    state_call_id: state.callId ?? null,
    pause_reason: state.pauseReason ?? null,
  };
}

/** 409 `invalid_transition` naming the agent's state: what the API answers for a refused event. */
export function invalidAgentTransition(
  row: SessionRow,
  event: AgentEvent['type'],
  detail?: string,
): ConflictError {
  return new ConflictError(
    'invalid_transition',
    detail ?? `Session '${row.id}': an agent who is ${row.agent_state} cannot take '${event}'.`,
    {
      extensions: {
        from: row.agent_state,
        agentState: row.agent_state,
        agentEvent: event,
        sessionId: row.id,
      },
    },
  );
}

/** Extra members of the agent.state_changed event (the request that caused it, …). */
export type StateEventExtra = Record<string, unknown>;

/** One applied agent event: the new row and the change published. */
export interface AppliedAgentEvent {
  row: SessionRow;
  change: AgentStateChange;
}

/**
 * Applies `event` to the locked `row` at `now` (409 `invalid_transition` when its state refuses
 * it), writes the new state together with `changes`, and appends `agent.state_changed`.
 */
export async function applyAgentEvent(
  tx: Executor,
  row: SessionRow,
  event: AgentEvent,
  now: Date,
  changes: SessionChanges = {},
  extra: StateEventExtra = {},
): Promise<AppliedAgentEvent> {
  const state = agentStateOf(row);
  if (!canTransition(state, event.type)) throw invalidAgentTransition(row, event.type);
  const { state: next, change } = transitionAgent(state, event, now.getTime());
  const updated = await updateSession(tx, row, { ...stateColumns(next), ...changes }, now);
  await appendSubjectEvent(tx, {
    tenantId: row.tenant_id,
    subjectType: 'user',
    subjectId: row.user_id,
    campaignId: null,
    type: 'agent.state_changed',
    data: {
      sessionId: row.id,
      userId: row.user_id,
      from: change.from,
      to: change.to,
      durationMs: change.durationMs,
      ...(change.pauseReason !== undefined ? { reason: change.pauseReason } : {}),
      ...(change.callId !== undefined ? { callId: change.callId } : {}),
      ...(change.dispositionCode !== undefined ? { dispositionCode: change.dispositionCode } : {}),
      event: change.event,
      ...extra,
    },
  });
  return { row: updated, change };
}

/**
 * Ends a wrap-up (by `event`: a disposition or the timeout): back to available, or — when a
 * pause was asked for during the call — straight to paused with that reason.
 */
export async function endWrapUp(
  tx: Executor,
  row: SessionRow,
  event: Extract<AgentEvent, { type: 'disposition' | 'wrap_timeout' }>,
  now: Date,
  extra: StateEventExtra = {},
): Promise<AppliedAgentEvent> {
  const done = { wrap_up_until: null, pause_requested: null };
  if (row.pause_requested !== null)
    return applyAgentEvent(tx, row, { type: 'pause', reason: row.pause_requested }, now, done, {
      ...extra,
      ...(event.type === 'disposition' ? { dispositionCode: event.code } : {}),
    });
  return applyAgentEvent(tx, row, event, now, done, extra);
}
