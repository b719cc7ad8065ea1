import type { Executor } from '../database.ts';

/** What one HTTP attempt did. */
export interface AttemptRecord {
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Where the delivery goes next: done, retried at a time, or given up. */
export type DeliveryNext =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: Date }
  | { status: 'failed' };

/**
 * Records an attempt and the delivery's next state, releasing the lease. Only the lease holder
 * may settle (a relay whose lease lapsed and was taken over changes nothing); returns whether
 * the row was updated.
 */
export async function settleDelivery(
  db: Executor,
  key: { id: number; owner: string },
  attempt: AttemptRecord,
  next: DeliveryNext,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      status: next.status,
      last_attempt_at: attempt.at,
      last_status_code: attempt.statusCode,
      last_error: attempt.error,
      last_duration_ms: Math.round(attempt.durationMs),
      lease_owner: null,
      leased_until: null,
      ...(next.status === 'delivered' ? { delivered_at: attempt.at } : {}),
      ...(next.status === 'pending' ? { next_attempt_at: next.nextAttemptAt } : {}),
    }))
    .where('id', '=', String(key.id))
    .where('lease_owner', '=', key.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
