import { PconnApiError, problemFrom } from './pconn-api-error.ts';
import type { PconnClient } from './pconn-client.ts';
import { sleep } from './retry-after.ts';
import { parseSse } from './sse-parser.ts';
import type { PconnEvent } from './types.ts';

/** Options of the event stream. */
export interface EventStreamOptions {
  /** Resume after this event id (sent as Last-Event-ID). */
  lastEventId?: string;
  /** Server-side filters: one campaign's or one call's events. */
  campaignId?: string;
  callId?: string;
  /** Only yield events whose type matches (exact, or a `call.*` prefix pattern). */
  types?: string[];
  /** Reconnects after a dropped connection before giving up (default 5). */
  maxReconnects?: number;
  signal?: AbortSignal;
}

/**
 * Iterates `GET /v1/events` (Server-Sent Events): `id:` is the event id, `event:` its type and
 * `data:` the JSON event `{id, type, timestamp, sequence, data}`. A dropped connection is
 * resumed with `Last-Event-ID` so no event is lost or repeated; the server's `retry:` sets
 * the reconnect delay. Ends when `signal` aborts; throws PconnApiError when the server refuses.
 */
export async function* streamEvents(
  client: PconnClient,
  options: EventStreamOptions = {},
): AsyncGenerator<PconnEvent> {
  let lastEventId = options.lastEventId;
  let retryMs = 1000;
  let failures = 0;
  const matches = (type: string) =>
    !options.types ||
    options.types.some(
      (t) => t === '*' || t === type || (t.endsWith('.*') && type.startsWith(t.slice(0, -1))),
    );
  // Our own controller, so a consumer that stops iterating (break) also closes the connection.
  const local = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, local.signal]) : local.signal;
  try {
    yield* connectLoop();
  } finally {
    local.abort();
  }

  async function* connectLoop(): AsyncGenerator<PconnEvent> {
    while (!signal.aborted) {
      let response: Response;
      try {
        response = await client.fetchRaw('GET', '/v1/events', {
          headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
          query: { campaignId: options.campaignId, callId: options.callId },
          signal,
        });
      } catch (error) {
        if (signal.aborted) return;
        if (++failures > (options.maxReconnects ?? 5)) throw error;
        await sleep(retryMs, signal).catch(() => undefined);
        continue;
      }
      if (!response.ok || !response.body) {
        const text = await response.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        throw new PconnApiError(response.status, problemFrom(response.status, body, text));
      }
      try {
        for await (const message of parseSse(response.body)) {
          failures = 0;
          if (message.retry !== undefined) retryMs = message.retry;
          if (message.id !== undefined) lastEventId = message.id;
          let event: PconnEvent;
          try {
            event = JSON.parse(message.data) as PconnEvent;
          } catch {
            continue;
          }
          if (matches(event.type ?? message.event)) yield event;
        }
      } catch (error) {
        if (signal.aborted) return;
        if (++failures > (options.maxReconnects ?? 5)) throw error;
      }
      if (signal.aborted) return;
      await sleep(retryMs, signal).catch(() => undefined);
    }
  }
}
