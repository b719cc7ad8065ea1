import { sql } from 'kysely';
import type { Db } from '../database.ts';

/** A successful attempt, waiting to be recorded. */
export interface DeliveredAttempt {
  id: number;
  at: Date;
  statusCode: number;
  durationMs: number;
}

/**
 * Records many successful attempts in one statement (the common case: at 50 calls/s there are
 * some 250 deliveries a second, and one short statement each would crowd the embedded store's
 * single connection). Only rows still leased to `owner` change.
 */
export async function settleDelivered(
  db: Db,
  owner: string,
  attempts: readonly DeliveredAttempt[],
): Promise<void> {
  if (attempts.length === 0) return;
  await sql`
    update webhook_deliveries d set status = 'delivered', attempts = d.attempts + 1,
      last_attempt_at = v.at, last_status_code = v.code, last_error = null, last_duration_ms = v.ms,
      delivered_at = v.at, lease_owner = null, leased_until = null
    from unnest(${attempts.map((a) => a.id)}::bigint[], ${attempts.map((a) => a.at.toISOString())}::timestamptz[],
      ${attempts.map((a) => a.statusCode)}::int[], ${attempts.map((a) => Math.round(a.durationMs))}::int[])
      as v(id, at, code, ms)
    where d.id = v.id and d.lease_owner = ${owner}`.execute(db);
}
