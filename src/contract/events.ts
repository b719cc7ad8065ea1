import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common.ts';

/** Every event type pconn writes to its outbox (webhooks and GET /v1/events carry the same). */
export const EVENT_TYPES = [
  'call.queued',
  'call.scheduled',
  'call.dialing_user',
  'call.dialing_contact',
  'call.connected',
  'call.completed',
  'call.failed',
  'call.canceled',
  'call.blocked',
  'call.waiting_for_agent',
  'campaign.status_changed',
  'agent.session_changed',
  'webhook.endpoint_disabled',
  // Dialing modes and answer detection (issues 16, 17); shapes in docs/events.md.
  'call.analysis',
  'call.abandoned',
  'call.offered',
  'agent.state_changed',
  'campaign.pacing_restricted',
  'campaign.stats',
  // Preview offers (issue 17): the agent accepted or skipped the offered call, or the offer lapsed.
  'call.offer_accepted',
  'call.skipped',
  'call.offer_expired',
] as const;

/** The terminal call events: each call emits exactly one of them. */
export const TERMINAL_CALL_EVENTS = [
  'call.completed',
  'call.failed',
  'call.canceled',
  'call.blocked',
] as const;

/**
 * An event as a webhook body and as SSE `data`: `sequence` increases by one per subject
 * (per call for call events, per campaign for campaign events, per user for session events).
 */
export const Event = Type.Object(
  {
    id: Type.String({ description: 'evt_…; also the webhook-id header and the SSE id' }),
    type: Type.String({ description: EVENT_TYPES.join(', ') }),
    timestamp: Type.String({ format: 'date-time' }),
    sequence: Type.Integer({ minimum: 1 }),
    data: Type.Object(
      {
        call: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'The Call object' })),
        campaign: Type.Optional(
          Type.Object({}, { additionalProperties: true, description: 'The Campaign object' }),
        ),
        session: Type.Optional(
          Type.Object(
            {},
            {
              additionalProperties: true,
              description: 'The AgentSession object (agent.session_changed, with `from` and `to` statuses)',
            },
          ),
        ),
        campaignStatus: Type.Optional(
          Type.Union([Type.String(), Type.Null()], {
            description: 'Status of the call’s campaign when the event was written',
          }),
        ),
      },
      { additionalProperties: true },
    ),
  },
  { description: 'An event (webhook payload, SSE data)' },
);
/** An event as delivered. */
export type Event = Static<typeof Event>;

/** Query of GET /v1/events. */
export const EventStreamQuery = Type.Object(
  {
    campaignId: Type.Optional(Id),
    callId: Type.Optional(Id),
    after: Type.Optional(
      Type.String({ maxLength: 40, description: 'Resume after this event id (like Last-Event-ID)' }),
    ),
  },
  { additionalProperties: false },
);

/** One event to one webhook endpoint, with its last attempt. */
export const WebhookDelivery = Type.Object({
  id: Type.String({ description: 'dlv_…' }),
  webhookId: Id,
  eventId: Type.String(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer({ minimum: 0 }),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastAttempt: Type.Union([
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
      durationMs: Type.Union([Type.Integer(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
/** A delivery as pconn answers it. */
export type WebhookDelivery = Static<typeof WebhookDelivery>;

/** Query of GET /v1/webhooks/{id}/deliveries. */
export const DeliveryListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    ),
    eventType: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from nextCursor' })),
  },
  { additionalProperties: false },
);

/** The OpenAPI 3.1 `webhooks` entry: what pconn POSTs to a webhook endpoint. */
export const EVENT_WEBHOOKS = {
  event: {
    post: {
      summary: 'An event, POSTed to every enabled webhook endpoint whose `events` filter matches',
      description:
        'Signed per Standard Webhooks: `webhook-id` (the event id, the same on every retry), `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`; two space-separated signatures while a rotated secret overlaps). Answer 2xx within the timeout; anything else is retried with exponential backoff for about a day, after which the endpoint is disabled (`webhook.endpoint_disabled`). Events of one call arrive in `sequence` order.',
      parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
        in: 'header' as const,
        name,
        required: true,
        schema: { type: 'string' as const },
      })),
      requestBody: { required: true, content: { 'application/json': { schema: Event } } },
      responses: { '2XX': { description: 'Delivered' } },
    },
  },
};
