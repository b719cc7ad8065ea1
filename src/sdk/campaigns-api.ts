import type { Query } from './pconn-client.ts';
import { ResourceApi } from './resource-api.ts';
import type { AbandonmentLedger, Campaign, CampaignInput, Contact, ImportResult } from './types.ts';

/** A campaign status change (shared/api-contract.md: draft → scheduled|running ⇄ paused → completed|stopped). */
export type CampaignAction = 'start' | 'pause' | 'resume' | 'stop';

/** What an import body is: CSV or NDJSON text, bytes or a stream. */
export interface ImportBody {
  format: 'csv' | 'ndjson';
  body: string | Uint8Array | ReadableStream<Uint8Array>;
}

/** Campaigns: the config routes plus status transitions, membership and bulk import. */
export class CampaignsApi extends ResourceApi<CampaignInput, Campaign> {
  /** Applies a status transition; 409 invalid_transition when illegal. */
  transition(id: string, action: CampaignAction): Promise<Campaign> {
    return this.client.request<Campaign>('POST', `${this.item(id)}/${action}`, { idempotencyKey: false });
  }

  /** Starts a draft campaign (running, or scheduled while schedule.startAt is ahead). */
  start(id: string): Promise<Campaign> {
    return this.transition(id, 'start');
  }

  /** Pauses a running campaign. */
  pause(id: string): Promise<Campaign> {
    return this.transition(id, 'pause');
  }

  /** Resumes a paused campaign. */
  resume(id: string): Promise<Campaign> {
    return this.transition(id, 'resume');
  }

  /** Stops a campaign for good. */
  stop(id: string): Promise<Campaign> {
    return this.transition(id, 'stop');
  }

  /**
   * The abandonment ledger per UTC day of `from`..`to` (YYYY-MM-DD, both included, at most 400
   * days; default the last 30) and over the rolling 30 days.
   */
  abandonment(id: string, range: { from?: string; to?: string } = {}): Promise<AbandonmentLedger> {
    return this.client.request<AbandonmentLedger>('GET', `${this.item(id)}/abandonment`, { query: range });
  }

  /** Adds existing contacts to the campaign. */
  addContacts(id: string, contactIds: string[]): Promise<{ added: number; alreadyMembers: number }> {
    return this.client.request('POST', `${this.item(id)}/contacts`, { body: { contactIds } });
  }

  /** The campaign's contacts. */
  contacts(id: string, query: Query = {}): AsyncGenerator<Contact> {
    return this.client.paginate<Contact>(`${this.item(id)}/contacts`, query);
  }

  /** Bulk import into the campaign (all-or-nothing; 422 import_rejected lists every bad line). */
  importContacts(id: string, input: ImportBody): Promise<ImportResult> {
    return this.client.request<ImportResult>('POST', `${this.item(id)}/contacts/import`, {
      rawBody: input.body,
      contentType: input.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
    });
  }
}
