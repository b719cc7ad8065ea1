import type { WebhookDelivery } from '../../contract/events.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { eventIdOf } from '../../events/event-envelope.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { listDeliveries } from '../../store/webhooks/list-deliveries.ts';
import type { DeliveryRow } from '../../store/webhooks/outbox-rows.ts';
import { redeliver } from '../../store/webhooks/redeliver.ts';
import { decodeCursor, encodeCursor, type Page } from '../resources/resource-service.ts';

const endpoints = new ResourceRepository<object>('webhook_endpoints');

/** The wire form of a delivery row. */
export function presentDelivery(row: DeliveryRow): WebhookDelivery {
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
  return {
    id: `dlv_${row.id}`,
    webhookId: row.endpoint_id,
    eventId: eventIdOf(row.event_id),
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastAttempt:
      row.last_attempt_at === null
        ? null
        : {
            at: new Date(row.last_attempt_at).toISOString(),
            statusCode: row.last_status_code,
            error: row.last_error,
            durationMs: row.last_duration_ms,
          },
    deliveredAt: iso(row.delivered_at),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The delivery log of one endpoint, newest first (404 for another tenant's endpoint). */
export async function listEndpointDeliveries(
  db: Db,
  ctx: RequestContext,
  endpointId: string,
  query: { status?: string; eventType?: string; limit?: number; cursor?: string },
): Promise<Page<WebhookDelivery>> {
  if (!(await endpoints.find(db, ctx.tenant.id, endpointId))) throw new NotFoundError('webhook', endpointId);
  const limit = query.limit ?? 50;
  const rows = await listDeliveries(db, ctx.tenant.id, endpointId, {
    status: query.status,
    eventType: query.eventType,
    beforeId: decodeCursor(query.cursor),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map(presentDelivery),
    nextCursor: rows.length > limit && last ? encodeCursor(Number(last.id)) : null,
  };
}

/** Queues a delivery again at once with a fresh retry schedule (same webhook-id). */
export async function redeliverEndpointDelivery(
  db: Db,
  ctx: RequestContext,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  if (!(await endpoints.find(db, ctx.tenant.id, endpointId))) throw new NotFoundError('webhook', endpointId);
  const match = /^dlv_([0-9]{1,15})$/.exec(deliveryId);
  const row = match ? await redeliver(db, ctx.tenant.id, endpointId, Number(match[1]), ctx.now) : undefined;
  if (!row) throw new NotFoundError('webhook delivery', deliveryId);
  return presentDelivery(row);
}
