import { PassThrough } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Event, EventStreamQuery } from '../../contract/events.ts';
import { InvalidInputError, PconnError } from '../../domain/pconn-error.ts';
import { parseEventId, toEventEnvelope } from '../../events/event-envelope.ts';
import type { EventStreamHub } from '../../events/event-stream-hub.ts';
import type { OutboxEventRow, OutboxPosition } from '../../store/webhooks/outbox-rows.ts';
import { routeSchema } from '../route-schema.ts';

/** What the event stream route needs. */
export interface EventRouteDeps {
  hub: EventStreamHub;
  /** Interval of the `: heartbeat` comment that keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** Concurrent streams one client may hold on this node; beyond it, 429 (default 10). */
  maxStreamsPerClient?: number;
}

// A refused stream is retried after this: slots free only when a stream closes, so there is no
// exact time to announce; a few seconds keeps a reconnect loop from hammering the node.
const STREAM_LIMIT_RETRY_SECONDS = 5;

// A client this far behind is cut off; it reconnects with Last-Event-ID and replays from the
// database instead of growing this node's memory.
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** GET /v1/events: the tenant's events as Server-Sent Events, resumable with Last-Event-ID. */
export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  const open = new Set<(shuttingDown?: boolean) => void>();
  // Open streams per client: each holds a socket, a subscription and up to MAX_BUFFERED_BYTES,
  // so one client (a leaked reconnect loop, a stolen token) must not exhaust the node.
  const streamsPerClient = new Map<string, number>();
  const maxStreams = deps.maxStreamsPerClient ?? 10;
  app.addHook('preClose', async () => {
    for (const end of [...open]) end(true);
  });

  app.get<{ Querystring: { campaignId?: string; callId?: string; after?: string } }>(
    '/v1/events',
    {
      config: { scope: 'calls:read' },
      schema: routeSchema({
        operationId: 'streamEvents',
        summary: 'Stream events as Server-Sent Events (resumable with Last-Event-ID)',
        description:
          'Each event is sent as `id: <event id>`, `event: <type>`, `data: <Event JSON>`; a `: heartbeat` comment keeps the stream open. Reconnect with `Last-Event-ID` (or `?after=`) to receive every event after that one exactly once. Filters: `campaignId`, `callId`. A client may hold `PCONN_EVENTS_MAX_STREAMS_PER_CLIENT` (default 10) open streams per node; one more is 429 `rate_limited` with `Retry-After` (filter one stream rather than opening several).',
        tags: ['Events'],
        scope: 'calls:read',
        querystring: EventStreamQuery,
        success: {
          200: Type.Unsafe({
            description: 'text/event-stream of Event',
            content: { 'text/event-stream': { schema: Event } },
          }),
        },
      }),
    },
    async (request, reply) => {
      const ctx = await request.context();
      const header = request.headers['last-event-id'];
      const resumeFrom = (Array.isArray(header) ? header[0] : header) ?? request.query.after;
      let after: OutboxPosition | undefined;
      if (resumeFrom !== undefined && resumeFrom !== '') {
        const id = parseEventId(resumeFrom);
        after = id === undefined ? undefined : await deps.hub.resumePosition(ctx.tenant.id, id);
        if (!after) {
          throw new InvalidInputError(
            'invalid_request',
            `'${resumeFrom}' is not an event id of this tenant.`,
            {
              errors: [
                {
                  pointer: '',
                  code: 'format',
                  detail: 'Last-Event-ID / after must be the id of an event this stream sent (evt_…).',
                },
              ],
            },
          );
        }
      }
      // Counted synchronously from here on (no await between check and increment), so a burst
      // of concurrent opens cannot overshoot the cap.
      const client = `${ctx.tenant.id}/${request.principal?.clientId ?? request.ip}`;
      const held = streamsPerClient.get(client) ?? 0;
      if (held >= maxStreams) {
        throw new PconnError(
          'rate_limited',
          `This client already has ${held} open event streams (at most ${maxStreams} per client); close one, or filter one stream instead of opening several.`,
          {
            retryAfterSeconds: STREAM_LIMIT_RETRY_SECONDS,
            retryable: true,
            extensions: { openStreams: held, maxStreams },
          },
        );
      }
      streamsPerClient.set(client, held + 1);
      const stream = new PassThrough();
      let ended = false;
      let unsubscribe = () => {};
      const end = (shuttingDown = false) => {
        if (ended) return;
        ended = true;
        const left = (streamsPerClient.get(client) ?? 1) - 1;
        if (left > 0) streamsPerClient.set(client, left);
        else streamsPerClient.delete(client);
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        stream.end();
        // On shutdown the server closes idle connections before preClose ends the streams, so a
        // stream's connection would then idle until keepAliveTimeout (72 s): close it once sent.
        if (shuttingDown) reply.raw.once('finish', () => request.raw.socket?.end());
      };
      const write = (text: string) => {
        if (ended) return;
        if (stream.writableLength > MAX_BUFFERED_BYTES) end();
        else stream.write(text);
      };
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), deps.heartbeatMs);
      open.add(end);
      reply.raw.once('close', () => end());
      write('retry: 1000\n: connected\n\n');
      try {
        unsubscribe = await deps.hub.subscribe(
          {
            filter: {
              tenantId: ctx.tenant.id,
              campaignId: request.query.campaignId,
              callId: request.query.callId,
            },
            send: (row) => write(formatEvent(row)),
          },
          after,
        );
      } catch (error) {
        end(); // frees the slot and the heartbeat of a stream that never started
        throw error;
      }
      if (ended) unsubscribe();
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no')
        .send(stream);
    },
  );
}

/** One SSE message: the id, the type as the event name, the envelope as data. */
function formatEvent(row: OutboxEventRow): string {
  const envelope = toEventEnvelope(row);
  return `id: ${envelope.id}\nevent: ${envelope.type}\ndata: ${JSON.stringify(envelope)}\n\n`;
}
