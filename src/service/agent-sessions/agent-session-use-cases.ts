import type { AgentSession, AgentSessionInput } from '../../contract/agent-sessions.ts';
import type { AgentSessionStatus } from '../../domain/agent-session-status.ts';
import { newId } from '../../domain/ids.ts';
import { ConflictError, NotFoundError, PconnError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import {
  findLatestSession,
  findOpenSession,
  type SessionRow,
} from '../../store/agent-sessions/session-rows.ts';
import type { Db, Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import type { StoredUser } from '../resources/users.ts';
import { presentSession } from './present-session.ts';
import { checkSessionCampaigns } from './session-campaigns.ts';
import { changeSession, openSession } from './session-events.ts';
import { assertActsFor } from './session-owner.ts';

const users = new ResourceRepository<StoredUser>('users');
/**
 * Starting or ending anyone's session needs `users:write`; a console agent (whose token reads
 * only) starts and ends their own, the one thing their desk needs to begin work.
 */
const OWN_SESSION_WRITE_SCOPES = ['users:write'] as const;

async function requireUser(tx: Executor, ctx: RequestContext, userId: string, lock: boolean) {
  const user = lock
    ? await users.findForUpdate(tx, ctx.tenant.id, userId)
    : await users.find(tx, ctx.tenant.id, userId);
  if (!user) throw new NotFoundError('user', userId);
  return user;
}

/** GET /v1/users/{id}/session: the user's newest session, open or ended. */
export async function getSession(db: Db, ctx: RequestContext, userId: string): Promise<AgentSession> {
  await requireUser(db, ctx, userId, false);
  const row = await findLatestSession(db, ctx.tenant.id, userId);
  if (!row)
    throw new PconnError(
      'not_found',
      `User '${userId}' has no personal-connection session; start one with PUT /v1/users/${userId}/session.`,
      { extensions: { resource: 'session', id: userId } },
    );
  return presentSession(row);
}

/** The status an ending session returns to when PUT asks for it again. */
function reopenedStatus(row: SessionRow): AgentSessionStatus {
  if (row.current_call_id) return 'on_call';
  return row.leg_state === 'held' ? 'ready' : 'starting';
}

/**
 * PUT /v1/users/{id}/session: desired state "in a session". Starts one (201) when the user has
 * none open; otherwise applies the new campaignIds to the open one (200) — and takes back an
 * end requested by DELETE that has not happened yet, since the leg is still up.
 */
export async function putSession(
  db: Db,
  ctx: RequestContext,
  userId: string,
  input: AgentSessionInput,
): Promise<{ session: AgentSession; created: boolean }> {
  return db.transaction().execute(async (tx) => {
    const user = await requireUser(tx, ctx, userId, true);
    assertActsFor(ctx, userId, OWN_SESSION_WRITE_SCOPES, 'session');
    if (user.data.status !== 'active')
      throw new ConflictError(
        'user_disabled',
        `User '${userId}' is ${user.data.status}; a disabled user cannot start a session.`,
        { extensions: { userStatus: user.data.status } },
      );
    if (!user.data.device)
      throw new ConflictError(
        'user_unavailable',
        `User '${userId}' has no device, so a session has no leg to hold; give them one with PUT /v1/users/${userId}.`,
        { extensions: { userStatus: user.data.status } },
      );
    const campaignIds = input.campaignIds ?? null;
    if (campaignIds) await checkSessionCampaigns(tx, ctx.tenant.id, userId, campaignIds);
    const extra = { requestId: ctx.requestId };
    const open = await findOpenSession(tx, ctx.tenant.id, userId, true);
    if (!open) {
      const row = await openSession(
        tx,
        { tenantId: ctx.tenant.id, id: newId('session'), userId, campaignIds, now: ctx.now },
        { ...extra, reason: 'started_by_request' },
      );
      return { session: presentSession(row), created: true };
    }
    const status = open.status === 'ending' ? reopenedStatus(open) : open.status;
    const row = await changeSession(tx, open, { campaign_ids: campaignIds, status }, ctx.now, {
      ...extra,
      reason: 'updated_by_request',
    });
    return { session: presentSession(row), created: false };
  });
}

/**
 * DELETE /v1/users/{id}/session. A session no dialer has taken yet ends at once (200); one
 * whose leg is up moves to `ending` (202) and its node hangs the leg up — after the current
 * call, if there is one. Repeating it is harmless: an ended session is answered as it is.
 */
export async function endSession(
  db: Db,
  ctx: RequestContext,
  userId: string,
): Promise<{ session: AgentSession; pending: boolean }> {
  return db.transaction().execute(async (tx) => {
    await requireUser(tx, ctx, userId, false);
    assertActsFor(ctx, userId, OWN_SESSION_WRITE_SCOPES, 'session');
    const open = await findOpenSession(tx, ctx.tenant.id, userId, true);
    if (!open) {
      const latest = await findLatestSession(tx, ctx.tenant.id, userId);
      if (!latest)
        throw new PconnError('not_found', `User '${userId}' has no personal-connection session to end.`, {
          extensions: { resource: 'session', id: userId },
        });
      return { session: presentSession(latest), pending: false };
    }
    if (open.status === 'ending') return { session: presentSession(open), pending: true };
    const extra = { requestId: ctx.requestId, reason: 'ended_by_request' };
    if (open.lease_owner === null) {
      const row = await changeSession(
        tx,
        open,
        {
          status: 'ended',
          leg_state: 'ended',
          end_reason: 'ended_by_request',
          end_detail: 'ended before its leg was dialled',
          ended_at: ctx.now,
        },
        ctx.now,
        extra,
      );
      return { session: presentSession(row), pending: false };
    }
    const row = await changeSession(tx, open, { status: 'ending' }, ctx.now, extra);
    return { session: presentSession(row), pending: true };
  });
}
