import type { Executor } from '../database.ts';
import type { DeliveryRow } from './outbox-rows.ts';

/** A page of one endpoint's deliveries, newest first, optionally by status and event type. */
export async function listDeliveries(
  db: Executor,
  tenantId: string,
  endpointId: string,
  query: { status?: string; eventType?: string; beforeId?: number; limit: number },
): Promise<DeliveryRow[]> {
  let q = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(query.limit);
  if (query.status !== undefined) q = q.where('status', '=', query.status as DeliveryRow['status']);
  if (query.eventType !== undefined) q = q.where('event_type', '=', query.eventType);
  if (query.beforeId !== undefined) q = q.where('id', '<', String(query.beforeId));
  return q.execute();
}
