import { type Call, PconnApiError, type PconnClient, type PconnEvent } from '../../sdk/index.ts';

/**
 * Call events for `pconn watch`: the server's event stream when it has one; otherwise (404)
 * the first page of GET /v1/calls polled every second, each status change turned into an
 * event of the same shape (`call.<status>`).
 */
export async function* callEvents(
  client: PconnClient,
  options: { campaignId?: string; signal: AbortSignal },
): AsyncGenerator<PconnEvent & { synthetic?: boolean }> {
  try {
    yield* client.events({ campaignId: options.campaignId, types: ['call.*'], signal: options.signal });
    return;
  } catch (error) {
    if (!(error instanceof PconnApiError) || error.status !== 404) throw error;
  }
  const known = new Map<string, string>();
  let first = true;
  while (!options.signal.aborted) {
    const page = await client.request<{ data: Call[] }>('GET', '/v1/calls', {
      query: { campaignId: options.campaignId, limit: 200 },
    });
    for (const call of page.data) {
      // Status and attempt count, not status alone: a call requeued after a busy attempt is
      // `queued` again, and that is news.
      const state = `${call.status}/${call.attempts.length}`;
      if (known.get(call.id) === state) continue;
      known.set(call.id, state);
      // Calls that were already there when watching started are shown once, not as news.
      if (first && ['completed', 'failed', 'canceled', 'blocked'].includes(call.status)) continue;
      yield {
        id: `poll_${call.id}_${call.status}_${call.attempts.length}`,
        type: `call.${call.status}`,
        timestamp: call.updatedAt,
        sequence: 0,
        data: { call },
        synthetic: true,
      };
    }
    first = false;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
