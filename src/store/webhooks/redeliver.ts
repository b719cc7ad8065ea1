import type { Executor } from '../database.ts';
import type { DeliveryRow } from './outbox-rows.ts';

/**
 * Queues a delivery of an endpoint again, now, with a fresh retry schedule (`retry_base`).
 * A redelivery asked for while an attempt is in flight is absorbed by that attempt's outcome.
 * Returns the row, or undefined when it does not exist in that tenant and endpoint.
 */
export async function redeliver(
  db: Executor,
  tenantId: string,
  endpointId: string,
  id: number,
  now: Date,
): Promise<DeliveryRow | undefined> {
  return db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: 'pending',
      next_attempt_at: now,
      retry_base: eb.ref('attempts'),
      delivered_at: null,
    }))
    .where('tenant_id', '=', tenantId)
    .where('endpoint_id', '=', endpointId)
    .where('id', '=', String(id))
    .returningAll()
    .executeTakeFirst();
}
