import type { AgentPauseInput, AgentSession, DispositionInput } from '../../contract/agent-sessions.ts';
import type { Call } from '../../contract/calls.ts';
import type { AgentStateChange } from '../../domain/agent-state.ts';
import { ConflictError, NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { lockWrapUpOfCall, sessionOfCall } from '../../store/agent-sessions/agent-state-sweeps.ts';
import { lockSession, type SessionRow, updateSession } from '../../store/agent-sessions/session-rows.ts';
import { dispositionOf, setCallDisposition } from '../../store/calls/call-disposition.ts';
import { findCall, listAttempts } from '../../store/calls/calls.ts';
import type { Db, Executor } from '../../store/database.ts';
import { presentCall } from '../calls/present-call.ts';
import {
  type AppliedAgentEvent,
  applyAgentEvent,
  endWrapUp,
  invalidAgentTransition,
} from './agent-state-changes.ts';
import { presentSession } from './present-session.ts';
import { assertActsFor } from './session-owner.ts';

/** Who may act on any session (supervisors hold calls:write); an agent acts on their own. */
export const SESSION_WRITE_SCOPES = ['users:write', 'calls:write'] as const;

/** A state use case's answer: the session (or call) and the changes committed (for metrics). */
export interface StateAnswer<T> {
  value: T;
  /** True when the request takes effect later (a pause during a call). */
  pending: boolean;
  changes: AgentStateChange[];
}

/** The session `id` of the caller's tenant, locked; 404 when unknown, 409 when it has ended. */
export async function lockOpen(tx: Executor, ctx: RequestContext, id: string): Promise<SessionRow> {
  const row = await lockSession(tx, ctx.tenant.id, id);
  if (!row) throw new NotFoundError('agent session', id);
  if (row.status === 'ended')
    throw new ConflictError(
      'invalid_transition',
      `Session '${id}' has ended (${row.end_reason}); start a new one.`,
      {
        extensions: { from: 'ended', sessionStatus: row.status, agentState: row.agent_state, sessionId: id },
      },
    );
  return row;
}

const answer = <T>(value: T, applied: AppliedAgentEvent[], pending = false): StateAnswer<T> => ({
  value,
  pending,
  changes: applied.map((a) => a.change),
});

/**
 * POST /v1/agent-sessions/{id}/pause. Available or in wrap-up: paused now. Reserved or on a
 * call: the pause is recorded (`pauseRequested`) and takes effect when the call's wrap-up ends
 * (pending). Paused already with the same reason: answered as it is (a retried request).
 */
export async function pauseSession(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: AgentPauseInput,
): Promise<StateAnswer<AgentSession>> {
  return db.transaction().execute(async (tx) => {
    const row = await lockOpen(tx, ctx, id);
    assertActsFor(ctx, row.user_id, SESSION_WRITE_SCOPES, 'session');
    const extra = { requestId: ctx.requestId };
    if (row.agent_state === 'paused' && row.pause_reason === input.reason)
      return answer(presentSession(row), []);
    if (row.agent_state === 'reserved' || row.agent_state === 'on_call') {
      const updated = await updateSession(tx, row, { pause_requested: input.reason }, ctx.now);
      return answer(presentSession(updated), [], true);
    }
    if (row.agent_state !== 'available' && row.agent_state !== 'wrap_up')
      throw invalidAgentTransition(
        row,
        'pause',
        `Session '${id}': the agent is already paused ('${row.pause_reason}'); resume first to change the reason.`,
      );
    const paused = await applyAgentEvent(
      tx,
      row,
      { type: 'pause', reason: input.reason },
      ctx.now,
      { wrap_up_until: null, pause_requested: null },
      extra,
    );
    return answer(presentSession(paused.row), [paused]);
  });
}

/**
 * POST /v1/agent-sessions/{id}/resume: a paused agent is available again; a pause still pending
 * (asked for during a call) is taken back. Anything else is 409 `invalid_transition`.
 */
export async function resumeSession(
  db: Db,
  ctx: RequestContext,
  id: string,
): Promise<StateAnswer<AgentSession>> {
  return db.transaction().execute(async (tx) => {
    const row = await lockOpen(tx, ctx, id);
    assertActsFor(ctx, row.user_id, SESSION_WRITE_SCOPES, 'session');
    if (row.agent_state !== 'paused' && row.pause_requested !== null) {
      const updated = await updateSession(tx, row, { pause_requested: null }, ctx.now);
      return answer(presentSession(updated), []);
    }
    if (row.agent_state !== 'paused')
      throw invalidAgentTransition(
        row,
        'resume',
        `Session '${id}': the agent is ${row.agent_state}, not paused.`,
      );
    const resumed = await applyAgentEvent(
      tx,
      row,
      { type: 'resume' },
      ctx.now,
      {},
      { requestId: ctx.requestId },
    );
    return answer(presentSession(resumed.row), [resumed]);
  });
}

/**
 * POST /v1/calls/{id}/disposition: records the agent's code (and notes) on the call and ends the
 * wrap-up of the session agent who took it (available again, or paused if a pause was asked for
 * during the call). 409 `invalid_transition` when no agent is in wrap-up for this call — unless
 * the call already carries the same code (a retried request: answered as it is).
 */
export async function recordDisposition(
  db: Db,
  ctx: RequestContext,
  callId: string,
  input: DispositionInput,
): Promise<StateAnswer<Call>> {
  return db.transaction().execute(async (tx) => {
    const call = await findCall(tx, ctx.tenant.id, callId);
    if (!call) throw new NotFoundError('call', callId);
    const present = async () =>
      presentCall(
        (await findCall(tx, ctx.tenant.id, callId)) ?? call,
        await listAttempts(tx, ctx.tenant.id, [callId]),
      );
    const session = await lockWrapUpOfCall(tx, ctx.tenant.id, callId);
    // An agent records dispositions of their own calls only.
    const agent = session?.user_id ?? call.user_id;
    if (agent === null) assertActsFor(ctx, '', ['calls:write'], 'calls');
    else assertActsFor(ctx, agent, ['calls:write'], 'calls');
    if (!session) {
      const recorded = dispositionOf(call);
      if (recorded?.code === input.code) return answer(await present(), []);
      const other = await sessionOfCall(tx, ctx.tenant.id, callId);
      const state = other ? (other.status === 'ended' ? 'ended' : other.agent_state) : 'none';
      const detail = recorded
        ? `Call '${callId}' already has disposition '${recorded.code}'; its agent's wrap-up is over.`
        : other
          ? `Call '${callId}' is not in wrap-up for its agent: the agent's session is ${state}${other.state_call_id && other.state_call_id !== callId ? ` (with call '${other.state_call_id}')` : ''}.`
          : `Call '${callId}' was not taken by a session agent, so it has no wrap-up to end.`;
      throw new ConflictError('invalid_transition', detail, {
        extensions: {
          from: state,
          to: 'available',
          agentState: state,
          ...(recorded ? { dispositionCode: recorded.code } : {}),
          ...(other ? { sessionId: other.id } : {}),
        },
      });
    }
    await setCallDisposition(
      tx,
      ctx.tenant.id,
      callId,
      {
        code: input.code,
        notes: input.notes ?? null,
        userId: session.user_id,
        sessionId: session.id,
        at: ctx.now.toISOString(),
      },
      ctx.now,
    );
    const ended = await endWrapUp(tx, session, { type: 'disposition', code: input.code }, ctx.now, {
      requestId: ctx.requestId,
    });
    return answer(await present(), [ended]);
  });
}
