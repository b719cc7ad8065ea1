import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { SessionRow } from './session-rows.ts';

/**
 * Open sessions of `owner` whose wrap-up timed out by `now` (`wrap_up_until` is in the row, so
 * the timeout needs no timer that a restart would lose), locked for the caller's transaction.
 */
export async function lockExpiredWrapUps(
  tx: Executor,
  owner: string,
  limit: number,
  now: Date,
): Promise<SessionRow[]> {
  const result = await sql<SessionRow>`
    select * from agent_sessions
    where lease_owner = ${owner} and status <> 'ended' and agent_state = 'wrap_up'
      and wrap_up_until <= ${now}::timestamptz
    order by wrap_up_until
    limit ${limit}
    for update skip locked`.execute(tx);
  return result.rows;
}

/** The earliest wrap-up timeout among `owner`'s open sessions (null: none in wrap-up). */
export async function nextWrapUpEnd(db: Executor, owner: string): Promise<Date | null> {
  const result = await sql<{ until: Date | string | null }>`
    select min(wrap_up_until) as until from agent_sessions
    where lease_owner = ${owner} and status <> 'ended' and agent_state = 'wrap_up'`.execute(db);
  const until = result.rows[0]?.until ?? null;
  return until === null ? null : new Date(until);
}

/** The open session whose agent is in wrap-up for `callId`, locked (FOR UPDATE). */
export async function lockWrapUpOfCall(
  tx: Executor,
  tenantId: string,
  callId: string,
): Promise<SessionRow | undefined> {
  return tx
    .selectFrom('agent_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('state_call_id', '=', callId)
    .where('agent_state', '=', 'wrap_up')
    .where('status', '<>', 'ended')
    .forUpdate()
    .executeTakeFirst();
}

/** The newest session whose state was about `callId` (to name its state in a refusal). */
export async function sessionOfCall(
  db: Executor,
  tenantId: string,
  callId: string,
): Promise<SessionRow | undefined> {
  return db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('state_call_id', '=', callId), eb('current_call_id', '=', callId)]))
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Agents of open sessions (leg up or coming up) per agent state, all nodes. */
export async function countAgentStates(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('agent_sessions')
    .select(['agent_state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('status', 'in', ['ready', 'on_call', 'ending'])
    .groupBy('agent_state')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.agent_state, Number(row.n)]));
}
