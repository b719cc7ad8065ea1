import { sql } from 'kysely';
import { inLivePhase } from '../calls/call-phase.ts';
import type { Db, Executor } from '../database.ts';
import { sessionPhoneReachable } from '../registrations/registration-holder.ts';
import type { SessionRow } from './session-rows.ts';

/**
 * Takes sessions no dialer holds yet (status starting, no lease owner) for `owner`, oldest
 * first, with FOR UPDATE SKIP LOCKED so nodes take disjoint ones. A user still on a call keeps
 * their session waiting: their device is busy until that call ends. A registered phone bound
 * only through another alive node is left to that node (its flow is there).
 */
export async function claimStartingSessions(
  db: Db,
  owner: string,
  limit: number,
  leaseSeconds: number,
  now: Date,
): Promise<SessionRow[]> {
  const result = await sql<SessionRow>`
    update agent_sessions set lease_owner = ${owner},
      leased_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds}), updated_at = ${now}
    where (tenant_id, id) in (
      select s.tenant_id, s.id from agent_sessions s
      where s.status = 'starting' and s.lease_owner is null
        and not exists (select 1 from calls b
          where b.tenant_id = s.tenant_id and b.user_id = s.user_id and ${inLivePhase('b')})
        ${sessionPhoneReachable(owner, now)}
      order by s.started_at
      limit ${limit}
      for update of s skip locked)
    returning *`.execute(db);
  return result.rows;
}

/** Keeps the leases of the sessions whose legs this dialer holds. */
export async function extendSessionLeases(
  db: Db,
  owner: string,
  ids: readonly string[],
  leaseSeconds: number,
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await sql`update agent_sessions set leased_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds})
    where lease_owner = ${owner} and id = any(${[...ids]}::text[]) and status <> 'ended'`.execute(db);
}

/** Ids of this dialer's sessions that DELETE asked to end. */
export async function endingSessionIds(db: Db, owner: string): Promise<string[]> {
  const rows = await db
    .selectFrom('agent_sessions')
    .select('id')
    .where('lease_owner', '=', owner)
    .where('status', '=', 'ending')
    .execute();
  return rows.map((row) => row.id);
}

/** Ids of this dialer's open sessions whose user was disabled or deleted since they started. */
export async function unavailableUserSessionIds(db: Db, owner: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    select s.id from agent_sessions s
    left join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
    where s.lease_owner = ${owner} and s.status <> 'ended'
      and (u.id is null or u.data->>'status' is distinct from 'active')`.execute(db);
  return result.rows.map((row) => row.id);
}

/**
 * Open sessions whose node stopped renewing the lease (it crashed or restarted: the leg is gone
 * with it), locked for the caller's transaction to end them; never the asking node's own.
 */
export async function lockLostSessions(
  tx: Executor,
  owner: string,
  limit: number,
  now: Date,
): Promise<SessionRow[]> {
  const result = await sql<SessionRow>`
    select * from agent_sessions
    where status <> 'ended' and lease_owner is not null and lease_owner <> ${owner}
      and leased_until < ${now}::timestamptz
    limit ${limit}
    for update skip locked`.execute(tx);
  return result.rows;
}
