import type { Selectable, Updateable } from 'kysely';
import type { AgentSessionsTable, Executor } from '../database.ts';

/** One agent_sessions row as read. */
export type SessionRow = Selectable<AgentSessionsTable>;
/** Columns a session change may set. */
export type SessionChanges = Omit<
  Updateable<AgentSessionsTable>,
  'tenant_id' | 'id' | 'user_id' | 'campaign_ids'
> & {
  campaign_ids?: string[] | null;
};

/** The user's session that is not ended, if any; `lock` takes its row lock (FOR UPDATE). */
export async function findOpenSession(
  db: Executor,
  tenantId: string,
  userId: string,
  lock = false,
): Promise<SessionRow | undefined> {
  let query = db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('status', '<>', 'ended');
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The user's newest session, open or ended. */
export async function findLatestSession(
  db: Executor,
  tenantId: string,
  userId: string,
): Promise<SessionRow | undefined> {
  return db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A session by id, locked (FOR UPDATE) for a change. */
export async function lockSession(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<SessionRow | undefined> {
  return db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Inserts a new session (status `starting`, leg pending). */
export async function insertSession(
  db: Executor,
  row: { tenantId: string; id: string; userId: string; campaignIds: string[] | null; now: Date },
): Promise<SessionRow> {
  return db
    .insertInto('agent_sessions')
    .values({
      tenant_id: row.tenantId,
      id: row.id,
      user_id: row.userId,
      // SQL NULL, not JSON null: the dialer's routing tests `campaign_ids is null`.
      campaign_ids: row.campaignIds === null ? null : JSON.stringify(row.campaignIds),
      status: 'starting',
      lease_owner: null,
      leased_until: null,
      current_call_id: null,
      end_reason: null,
      end_detail: null,
      sip_status: null,
      ready_at: null,
      ended_at: null,
      started_at: row.now,
      updated_at: row.now,
      state_since: row.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Applies `changes` to a session the caller holds locked; returns the new row. */
export async function updateSession(
  db: Executor,
  row: SessionRow,
  changes: SessionChanges,
  now: Date,
): Promise<SessionRow> {
  const { campaign_ids, ...rest } = changes;
  return db
    .updateTable('agent_sessions')
    .set({
      ...rest,
      ...(campaign_ids !== undefined
        ? { campaign_ids: campaign_ids === null ? null : JSON.stringify(campaign_ids) }
        : {}),
      updated_at: now,
    })
    .where('tenant_id', '=', row.tenant_id)
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
