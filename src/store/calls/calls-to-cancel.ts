import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../database.ts';

/** The statement of {@link callsToCancel} (exported so a test can read its plan). */
export function callsToCancelStatement(owner: string): RawBuilder<{ id: string }> {
  // `cancel_requested` is a literal, not a parameter: every plan, the generic one the embedded
  // store caches included, can then prove that the partial index calls_cancel_requested applies.
  return sql<{ id: string }>`select id from calls where lease_owner = ${owner} and cancel_requested`;
}

/**
 * The ids of the calls `owner` holds whose cancel was requested (the API marks them; the dialer
 * that holds the call hangs it up). The dialer asks on every round, so this reads an index of
 * the calls with a cancel pending (migration 0019) rather than the calls table: before it,
 * each round scanned every call ever made.
 */
export async function callsToCancel(db: Executor, owner: string): Promise<string[]> {
  const result = await callsToCancelStatement(owner).execute(db);
  return result.rows.map((row) => row.id);
}
