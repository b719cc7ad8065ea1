import { type Kysely, sql } from 'kysely';

/**
 * calls.trace_context: the W3C `traceparent` of the request that created the call, so the
 * dialer's attempt and leg spans continue the same trace (null when tracing was off).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table calls add column if not exists trace_context text`.execute(db);
}
