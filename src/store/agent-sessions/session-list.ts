import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { SessionRow } from './session-rows.ts';

/** Filters of a session page, as the store applies them. */
export interface SessionListFilter {
  state?: string;
  status?: string;
  userId?: string;
  /** Only sessions of these users (the campaign's agentIds) that take `campaignId`. */
  campaign?: { id: string; agentIds: readonly string[] };
  /** Sessions with ids after this one (ids sort by creation time). */
  afterId?: string;
  limit: number;
}

/** A page of the tenant's sessions, oldest first, filtered. */
export async function listSessions(
  db: Executor,
  tenantId: string,
  filter: SessionListFilter,
): Promise<SessionRow[]> {
  let query = db.selectFrom('agent_sessions').selectAll().where('tenant_id', '=', tenantId);
  // An ended session's agent state is where it stopped, not a state anyone is in.
  if (filter.state !== undefined)
    query = query.where('agent_state', '=', filter.state).where('status', '<>', 'ended');
  if (filter.status === 'open') query = query.where('status', '<>', 'ended');
  else if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.campaign) {
    const { id, agentIds } = filter.campaign;
    // The dialer's routing (load-dial-facts.ts): the campaign names the agent, and the session
    // takes every campaign (campaign_ids null) or lists this one.
    if (agentIds.length === 0) return [];
    query = query
      .where('user_id', 'in', [...agentIds])
      .where((eb) =>
        eb.or([eb('campaign_ids', 'is', null), sql<boolean>`campaign_ids @> jsonb_build_array(${id}::text)`]),
      );
  }
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  return query.orderBy('id').limit(filter.limit).execute();
}

/** One session by id, open or ended. */
export async function findSessionById(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<SessionRow | undefined> {
  return db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}
