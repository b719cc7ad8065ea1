import type { AgentSession } from '../../contract/agent-sessions.ts';
import type { PreviewOffer } from '../../contract/preview-offers.ts';
import { ConflictError, NotFoundError, PconnError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { holdSkippedCall } from '../../store/agent-sessions/offer-skips.ts';
import type { SessionRow } from '../../store/agent-sessions/session-rows.ts';
import { lockSession, updateSession } from '../../store/agent-sessions/session-rows.ts';
import { appendCallEvent, findCall, listAttempts, updateCall } from '../../store/calls/calls.ts';
import type { Db, Executor } from '../../store/database.ts';
import { presentCall } from '../calls/present-call.ts';
import { lockOpen, SESSION_WRITE_SCOPES, type StateAnswer } from './agent-state-use-cases.ts';
import { callEndedFor } from './call-agent-states.ts';
import { presentSession } from './present-session.ts';
import { assertActsFor } from './session-owner.ts';

/*
 * The agent's side of a preview offer (issue 17): read it, accept it (the node holding the
 * agent's leg dials it with that agent, src/dialer/preview-offers.ts) or skip it with a reason.
 * An offer is open while its session is `reserved` for the call with an expiry still ahead;
 * accepted, the expiry is cleared until the dial takes the call. Expired offers are released by
 * the dialer's sweep; here they are already refused.
 */

/** A skipped call is not offered to the same session again for this long. */
export const SKIP_HOLD_SECONDS = 900;

type OfferState = 'open' | 'accepted' | 'expired' | 'none';

function offerState(row: SessionRow, now: Date): OfferState {
  if (row.agent_state !== 'reserved' || row.offered_call_id === null) return 'none';
  if (row.offer_expires_at === null) return 'accepted';
  return new Date(row.offer_expires_at).getTime() > now.getTime() ? 'open' : 'expired';
}

async function lockOwn(tx: Executor, ctx: RequestContext, id: string): Promise<SessionRow> {
  const row = await lockOpen(tx, ctx, id);
  assertActsFor(ctx, row.user_id, SESSION_WRITE_SCOPES, 'session');
  return row;
}

function refused(row: SessionRow, state: OfferState, action: 'accept' | 'skip'): ConflictError {
  const why =
    state === 'expired'
      ? `its offer of call '${row.offered_call_id}' expired at ${new Date(row.offer_expires_at as Date).toISOString()}; the call is back in the queue`
      : state === 'accepted'
        ? `its offer of call '${row.offered_call_id}' was accepted and is being dialled`
        : `the agent is ${row.agent_state} with no call offered`;
  return new ConflictError('invalid_transition', `Session '${row.id}' cannot ${action} an offer: ${why}.`, {
    extensions: {
      from: row.agent_state,
      agentState: row.agent_state,
      agentEvent: action,
      sessionId: row.id,
      ...(state === 'expired' || state === 'accepted' ? { offer: state } : {}),
    },
  });
}

async function presentOffer(tx: Executor, row: SessionRow): Promise<PreviewOffer> {
  const callId = row.offered_call_id as string;
  const call = await findCall(tx, row.tenant_id, callId);
  if (!call) throw new Error(`offered call ${callId} is missing`);
  return {
    sessionId: row.id,
    userId: row.user_id,
    callId,
    status: row.offer_expires_at === null ? 'accepted' : 'offered',
    expiresAt: row.offer_expires_at === null ? null : new Date(row.offer_expires_at).toISOString(),
    call: presentCall(call, await listAttempts(tx, row.tenant_id, [callId])),
  };
}

/** GET /v1/agent-sessions/{id}/offer: the open (or accepted, not yet dialled) offer; 404 `no_offer`. */
export async function getOffer(db: Db, ctx: RequestContext, id: string): Promise<PreviewOffer> {
  return db.transaction().execute(async (tx) => {
    const row = await lockSession(tx, ctx.tenant.id, id);
    if (!row) throw new NotFoundError('agent session', id);
    assertActsFor(ctx, row.user_id, SESSION_WRITE_SCOPES, 'session');
    const state = row.status === 'ended' ? 'none' : offerState(row, ctx.now);
    if (state === 'open' || state === 'accepted') return presentOffer(tx, row);
    throw new PconnError(
      'no_offer',
      row.status === 'ended'
        ? `Session '${id}' has ended (${row.end_reason}): it has no call offered.`
        : `Session '${id}' has no call offered: the agent is ${row.agent_state}${state === 'expired' ? ' and the last offer expired' : ''}.`,
      { extensions: { sessionId: id, agentState: row.status === 'ended' ? 'ended' : row.agent_state } },
    );
  });
}

/**
 * POST …/offer/accept: the agent takes the call. The offer loses its expiry (the agent stays
 * reserved for it) and the call is due now; the node holding the agent's leg dials it with that
 * agent at its next round. Repeated before the dial: answered as it is.
 */
export async function acceptOffer(
  db: Db,
  ctx: RequestContext,
  id: string,
): Promise<StateAnswer<PreviewOffer>> {
  return db.transaction().execute(async (tx) => {
    const row = await lockOwn(tx, ctx, id);
    const state = offerState(row, ctx.now);
    if (state === 'accepted') return { value: await presentOffer(tx, row), pending: false, changes: [] };
    if (state !== 'open') throw refused(row, state, 'accept');
    const callId = row.offered_call_id as string;
    const accepted = await updateSession(tx, row, { offer_expires_at: null }, ctx.now);
    await updateCall(tx, row.tenant_id, callId, { next_attempt_at: ctx.now }, ctx.now);
    const call = await findCall(tx, row.tenant_id, callId);
    await appendCallEvent(tx, {
      tenantId: row.tenant_id,
      callId,
      campaignId: call?.campaign_id ?? null,
      type: 'call.offer_accepted',
      data: { sessionId: row.id, userId: row.user_id, requestId: ctx.requestId },
    });
    // No state change (the agent stays reserved), but the dialer must look now: `pending`.
    return { value: await presentOffer(tx, accepted), pending: true, changes: [] };
  });
}

/**
 * POST …/offer/skip `{reason}`: the call goes back to the queue at once, but not to this
 * session for SKIP_HOLD_SECONDS (a call_offer_skips row); its timeline gets `call.skipped` with
 * the reason; the agent is available again (or paused, when a pause was asked for meanwhile).
 */
export async function skipOffer(
  db: Db,
  ctx: RequestContext,
  id: string,
  reason: string,
): Promise<StateAnswer<AgentSession>> {
  return db.transaction().execute(async (tx) => {
    const row = await lockOwn(tx, ctx, id);
    const state = offerState(row, ctx.now);
    if (state !== 'open') throw refused(row, state, 'skip');
    const callId = row.offered_call_id as string;
    const until = new Date(ctx.now.getTime() + SKIP_HOLD_SECONDS * 1000);
    await holdSkippedCall(tx, { tenantId: row.tenant_id, callId, sessionId: row.id, until });
    await updateCall(tx, row.tenant_id, callId, { next_attempt_at: ctx.now }, ctx.now);
    const call = await findCall(tx, row.tenant_id, callId);
    await appendCallEvent(tx, {
      tenantId: row.tenant_id,
      callId,
      campaignId: call?.campaign_id ?? null,
      type: 'call.skipped',
      data: {
        sessionId: row.id,
        userId: row.user_id,
        reason,
        until: until.toISOString(),
        requestId: ctx.requestId,
      },
    });
    const applied = await callEndedFor(tx, row, ctx.now, 0);
    const latest = applied.at(-1)?.row ?? row;
    return { value: presentSession(latest), pending: false, changes: applied.map((a) => a.change) };
  });
}

/**
 * Releases an offer whose deadline passed or whose call ended (the dialer's sweep, holding the
 * row lock): the agent is available again (or paused); a waiting call — due since the deadline —
 * is back in the queue, and its timeline says `call.offer_expired`.
 */
export async function expireOffer(tx: Executor, row: SessionRow, now: Date) {
  const callId = row.offered_call_id as string;
  const applied = await callEndedFor(tx, row, now, 0);
  const call = await findCall(tx, row.tenant_id, callId);
  // A call that ended meanwhile (canceled) only frees its agent: its timeline is closed.
  if (call && (call.status === 'queued' || call.status === 'scheduled'))
    await appendCallEvent(tx, {
      tenantId: row.tenant_id,
      callId,
      campaignId: call.campaign_id,
      type: 'call.offer_expired',
      data: {
        sessionId: row.id,
        userId: row.user_id,
        expiredAt: new Date(row.offer_expires_at as Date).toISOString(),
      },
    });
  return applied;
}
