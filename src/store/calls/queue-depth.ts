import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { inWaitingPhase } from './call-phase.ts';

/**
 * Waiting calls across all tenants, for the queue-depth gauge: one aggregate over the rows the
 * partial index `calls_due` covers (queued and scheduled only), so it stays cheap however many
 * finished calls the table holds.
 */
export async function countWaitingCalls(
  db: Executor,
  now: Date,
): Promise<{ queued: number; scheduled: number; due: number }> {
  const result = await sql<{ queued: string; scheduled: string; due: string }>`
    select count(*) filter (where status = 'queued') as queued,
           count(*) filter (where status = 'scheduled') as scheduled,
           count(*) filter (where next_attempt_at <= ${now}::timestamptz) as due
    from calls where ${inWaitingPhase()}`.execute(db);
  const row = result.rows[0];
  return {
    queued: Number(row?.queued ?? 0),
    scheduled: Number(row?.scheduled ?? 0),
    due: Number(row?.due ?? 0),
  };
}
