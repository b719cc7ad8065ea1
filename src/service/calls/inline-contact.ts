import type { CampaignCallInput } from '../../contract/calls.ts';
import { newId } from '../../domain/ids.ts';
import { ConflictError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { CampaignCallFactsRow } from '../../store/calls/load-campaign-call-facts.ts';
import { upsertInlineContacts } from '../../store/calls/upsert-inline-contacts.ts';
import type { Executor } from '../../store/database.ts';
import { FieldErrors } from '../field-errors.ts';
import { checkPhoneTypes, contactFromInput, type StoredContact } from '../resources/contacts.ts';
import type { CampaignFact, ContactFact } from './check-campaign-call.ts';

/** The upsert an accepted call with an inline contact writes (with the call, atomically). */
export interface InlineContactWrite {
  tenantId: string;
  campaignId: string;
  id: string;
  data: StoredContact;
  /** The contact existed (matched by externalId): update it rather than insert. */
  exists: boolean;
  /** The request's instant, the contact's updated time. */
  at: Date;
}

/**
 * An inline contact (`contact` instead of `contactId`) as the checks see it — the contact as it
 * will be after the upsert by externalId, under its existing id or a new one — and the write
 * that makes it so. Nothing is written here: a refused or dry-run request writes nothing.
 */
export function inlineContactFact(
  ctx: RequestContext,
  campaign: CampaignFact,
  inline: NonNullable<CampaignCallInput['contact']>,
  facts: CampaignCallFactsRow,
): { fact: ContactFact; write: InlineContactWrite } {
  const errors = new FieldErrors();
  checkPhoneTypes(errors, inline.phoneNumbers ?? [], ctx.tenant.phoneTypes, '/contact/phoneNumbers');
  errors.throwIfAny('The inline contact has invalid fields.');
  const data = contactFromInput(inline, ctx.now);
  const existing = facts.contact;
  const id = existing?.id ?? newId('contact');
  return {
    fact: { id, data },
    write: {
      tenantId: ctx.tenant.id,
      campaignId: campaign.id,
      id,
      data,
      exists: existing !== null,
      at: ctx.now,
    },
  };
}

/**
 * Upserts the batch's inline contacts and adds each to its campaign, in the accept batch's
 * transaction (one statement for all of them). A contact deleted since the batch read it is a
 * conflict: the batch is rolled back and its requests run again alone, so only that one fails.
 */
export async function writeInlineContacts(
  db: Executor,
  writes: readonly InlineContactWrite[],
): Promise<void> {
  const written = await upsertInlineContacts(
    db,
    writes.map((w) => ({
      tenantId: w.tenantId,
      campaignId: w.campaignId,
      id: w.id,
      externalId: w.data.externalId,
      data: w.data,
      exists: w.exists,
      at: w.at,
    })),
  );
  const lost = writes.find((w) => !written.has(`${w.tenantId}/${w.id}`));
  if (lost)
    throw new ConflictError('conflict', `Contact '${lost.data.externalId}' changed concurrently; retry.`, {
      retryable: true,
    });
}
