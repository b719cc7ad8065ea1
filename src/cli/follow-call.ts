import { setTimeout as delay } from 'node:timers/promises';
import { type Call, type PconnClient, type PconnEvent, TERMINAL_CALL_STATUSES } from '../sdk/index.ts';

/** Options of followCall. */
export interface FollowOptions {
  /** Called once per event of the call's timeline, in sequence order — every transition, repeats included. */
  onEvent: (event: PconnEvent) => void;
  timeoutMs?: number;
}

/**
 * Follows a call until it is terminal and hands over each of its timeline events exactly once,
 * in order. Watching statuses would hide a call that goes back to `queued` after a busy attempt
 * (the status looks unchanged between polls), so this follows the timeline itself: it is read
 * first (GET /v1/calls/{id}/events), then the event stream (GET /v1/events?callId=) resumes after
 * its last event; a gap in the sequence, a dropped stream or a server without one (404) is
 * covered by reading the timeline again — every second while streaming, every 250 ms without.
 */
export async function followCall(client: PconnClient, callId: string, options: FollowOptions): Promise<Call> {
  const abort = new AbortController();
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let lastSequence = 0;
  let lastEventId: string | undefined;
  let lastStatus = 'unknown';
  let final: Call | undefined;
  const emit = (events: PconnEvent[]) => {
    for (const event of [...events].sort((a, b) => a.sequence - b.sequence)) {
      if (final || event.sequence <= lastSequence) continue;
      lastSequence = event.sequence;
      lastEventId = event.id;
      options.onEvent(event);
      const call = (event.data as { call?: Call }).call;
      if (!call) continue;
      lastStatus = call.status;
      if (TERMINAL_CALL_STATUSES.has(call.status)) {
        final = call;
        abort.abort();
      }
    }
  };
  const catchUp = async () => emit(await client.calls.timeline(callId));
  await catchUp();
  let streaming = false;
  const stream = (async () => {
    if (final) return;
    try {
      for await (const event of client.events({
        callId,
        ...(lastEventId ? { lastEventId } : {}),
        types: ['call.*'],
        signal: abort.signal,
        maxReconnects: 2,
      })) {
        streaming = true;
        // An event beyond the next one means some were missed: the timeline has them all.
        if (event.sequence > lastSequence + 1) await catchUp();
        else emit([event]);
      }
    } catch {
      // No stream on this server (404) or it failed: reading the timeline carries on alone.
    } finally {
      streaming = false;
    }
  })();
  try {
    while (!final) {
      if (Date.now() > deadline) throw new Error(`call ${callId} is still ${lastStatus} after the timeout`);
      await delay(streaming ? 1000 : 250, undefined, { signal: abort.signal }).catch(() => undefined);
      if (!final) await catchUp();
    }
  } finally {
    abort.abort();
    await stream;
  }
  return final;
}
