import { type Kysely, sql } from 'kysely';

/**
 * A call's phase — waiting for the dialer, live, or ended — as a stored generated column, and
 * the partial indexes of waiting and live calls defined on it instead of on the status. An UPDATE
 * can be a heap-only tuple update (HOT: the new row version on the same page, no index touched)
 * only when it changes no column an index names in its key or its predicate. With the status in
 * three indexes' predicates, every status change wrote a new entry into each of the table's
 * eight indexes; the changes within a phase (dialing_user → dialing_contact → connected: two of
 * a bridged call's four) change no indexed column now. A fillfactor of 80 leaves room on each
 * page for those versions (it applies to pages written from now on).
 *
 * The statuses of each phase are the domain's WAITING_STATUSES and LIVE_STATUSES
 * (test/store/call-phase.test.ts checks the column against them); statements that want these
 * indexes name the phase (store/calls/call-phase.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table calls add column phase text generated always as (
    case
      when status in ('queued', 'scheduled') then 'waiting'
      when status in ('dialing_user', 'dialing_contact', 'connected') then 'live'
      else 'ended'
    end) stored`.execute(db);
  await sql`drop index calls_due`.execute(db);
  await sql`drop index calls_live`.execute(db);
  await sql`drop index calls_user_live`.execute(db);
  await sql`create index calls_due on calls (next_attempt_at) where phase = 'waiting'`.execute(db);
  await sql`create index calls_live on calls (leased_until) where phase = 'live'`.execute(db);
  await sql`create index calls_user_live on calls (tenant_id, user_id) where phase = 'live'`.execute(db);
  await sql`alter table calls set (fillfactor = 80)`.execute(db);
}
