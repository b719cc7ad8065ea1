import type { PconnClient, Query } from './pconn-client.ts';
import type { Call, CampaignCallInput, DirectCallInput, DryRunResult, PconnEvent } from './types.ts';

/** Options of the call creates. */
export interface CreateCallOptions {
  /** Reuse a key to make a retried request safe across process restarts; generated otherwise. */
  idempotencyKey?: string;
}

/** Statuses after which a call never changes again. */
export const TERMINAL_CALL_STATUSES: ReadonlySet<string> = new Set([
  'completed',
  'failed',
  'canceled',
  'blocked',
]);

/** Calls: campaign and direct creates (with dry runs), reads, lists, cancel and timelines. */
export class CallsApi {
  constructor(private readonly client: PconnClient) {}

  /** A personal-connection call for one contact of a campaign (202, queued). */
  createForCampaign(
    campaignId: string,
    input: CampaignCallInput,
    options: CreateCallOptions = {},
  ): Promise<Call> {
    return this.client.request<Call>('POST', `/v1/campaigns/${encodeURIComponent(campaignId)}/calls`, {
      body: input,
      ...options,
    });
  }

  /** A direct call from a user's device to an external number (202, queued). */
  createDirect(input: DirectCallInput, options: CreateCallOptions = {}): Promise<Call> {
    return this.client.request<Call>('POST', '/v1/calls', { body: input, ...options });
  }

  /** "Can I call now?" for a campaign call, without creating anything. */
  dryRunForCampaign(campaignId: string, input: CampaignCallInput): Promise<DryRunResult> {
    return this.client.request<DryRunResult>(
      'POST',
      `/v1/campaigns/${encodeURIComponent(campaignId)}/calls`,
      {
        body: input,
        query: { dryRun: true },
        idempotencyKey: false,
      },
    );
  }

  /** "Can I call now?" for a direct call. */
  dryRunDirect(input: DirectCallInput): Promise<DryRunResult> {
    return this.client.request<DryRunResult>('POST', '/v1/calls', {
      body: input,
      query: { dryRun: true },
      idempotencyKey: false,
    });
  }

  /** One call with its attempts. */
  get(id: string): Promise<Call> {
    return this.client.request<Call>('GET', `/v1/calls/${encodeURIComponent(id)}`);
  }

  /** Every call matching the filters, page after page. */
  list(filter: { campaignId?: string; status?: string } & Query = {}): AsyncGenerator<Call> {
    return this.client.paginate<Call>('/v1/calls', filter);
  }

  /** Cancels a call (hangs up live legs). */
  cancel(id: string): Promise<Call> {
    return this.client.request<Call>('POST', `/v1/calls/${encodeURIComponent(id)}/cancel`, {
      idempotencyKey: false,
    });
  }

  /** The call's ordered timeline. */
  async timeline(id: string): Promise<PconnEvent[]> {
    const page = await this.client.request<{ data: PconnEvent[] }>(
      'GET',
      `/v1/calls/${encodeURIComponent(id)}/events`,
    );
    return page.data;
  }

  /** Polls GET /v1/calls/{id} until the call is terminal (for when the event stream is unavailable). */
  async waitUntilTerminal(
    id: string,
    options: { intervalMs?: number; timeoutMs?: number; onChange?: (call: Call) => void } = {},
  ): Promise<Call> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    let last = '';
    for (;;) {
      const call = await this.get(id);
      if (call.status !== last) options.onChange?.(call);
      last = call.status;
      if (TERMINAL_CALL_STATUSES.has(call.status)) return call;
      if (Date.now() > deadline) throw new Error(`call ${id} still ${call.status} after the timeout`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  }
}
