import { type Call, PconnApiError, type PconnClient, TERMINAL_CALL_STATUSES } from '../sdk/index.ts';

/** Options of followCall. */
export interface FollowOptions {
  /** Called once per status the call is seen in. */
  onStatus: (call: Call, via: 'events' | 'poll') => void;
  timeoutMs?: number;
}

/**
 * Follows a call until it is terminal. The event stream (GET /v1/events) pushes changes as
 * they happen; GET /v1/calls/{id} is polled alongside — every second while the stream is up
 * (it closes the gap between the call's creation and the stream's start), every 250 ms when
 * the server has no stream (404) or it drops.
 */
export async function followCall(client: PconnClient, callId: string, options: FollowOptions): Promise<Call> {
  const abort = new AbortController();
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let streaming = false;
  let lastStatus = '';
  let final: Call | undefined;
  const see = (call: Call, via: 'events' | 'poll') => {
    if (call.status === lastStatus || final) return;
    lastStatus = call.status;
    options.onStatus(call, via);
    if (TERMINAL_CALL_STATUSES.has(call.status)) {
      final = call;
      abort.abort();
    }
  };
  const stream = (async () => {
    try {
      for await (const event of client.events({
        types: ['call.*'],
        signal: abort.signal,
        maxReconnects: 2,
      })) {
        streaming = true;
        const call = (event.data as { call?: Call }).call;
        if (call?.id === callId) see(call, 'events');
      }
    } catch (error) {
      // No stream on this server (404) or it failed: polling carries on alone.
      if (!(error instanceof PconnApiError) && !abort.signal.aborted) streaming = false;
    } finally {
      streaming = false;
    }
  })();
  try {
    while (!final) {
      see(await client.calls.get(callId), 'poll');
      if (final) break;
      if (Date.now() > deadline) throw new Error(`call ${callId} is still ${lastStatus} after the timeout`);
      await new Promise((resolve) => setTimeout(resolve, streaming ? 1000 : 250));
    }
  } finally {
    abort.abort();
    await stream;
  }
  return final;
}
