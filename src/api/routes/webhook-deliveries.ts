import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Id, ListOf } from '../../contract/common.ts';
import { DeliveryListQuery, WebhookDelivery } from '../../contract/events.ts';
import {
  listEndpointDeliveries,
  redeliverEndpointDelivery,
} from '../../service/webhooks/webhook-deliveries.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

/** What the delivery routes need. */
export interface WebhookDeliveryRouteDeps {
  db: Db;
  /** Wakes the relay after a redelivery was queued. */
  onRedeliver: () => void;
}

/** The delivery log of a webhook endpoint and manual redelivery. */
export function registerWebhookDeliveryRoutes(app: FastifyInstance, deps: WebhookDeliveryRouteDeps): void {
  app.get<{
    Params: { id: string };
    Querystring: { status?: string; eventType?: string; limit?: number; cursor?: string };
  }>(
    '/v1/webhooks/:id/deliveries',
    {
      config: { scope: 'webhooks:read' },
      schema: routeSchema({
        operationId: 'listWebhookDeliveries',
        summary: 'List the deliveries of a webhook endpoint, newest first, with their last attempt',
        tags: ['Webhooks'],
        scope: 'webhooks:read',
        params: Type.Object({ id: Id }),
        querystring: DeliveryListQuery,
        success: { 200: ListOf(WebhookDelivery) },
        errors: [404],
      }),
    },
    async (request) =>
      listEndpointDeliveries(deps.db, await request.context(), request.params.id, request.query),
  );

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { scope: 'webhooks:write' },
      schema: routeSchema({
        operationId: 'redeliverWebhookDelivery',
        summary: 'Send a delivery again now (same webhook-id, fresh retry schedule)',
        tags: ['Webhooks'],
        scope: 'webhooks:write',
        params: Type.Object({ id: Id, deliveryId: Type.String({ pattern: '^dlv_[0-9]{1,15}$' }) }),
        success: { 202: WebhookDelivery },
        errors: [404],
      }),
    },
    async (request, reply) => {
      const delivery = await redeliverEndpointDelivery(
        deps.db,
        await request.context(),
        request.params.id,
        request.params.deliveryId,
      );
      deps.onRedeliver();
      return reply.code(202).send(delivery);
    },
  );
}
