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
