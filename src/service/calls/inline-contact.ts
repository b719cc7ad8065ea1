import type { CampaignCallInput } from '../../contract/calls.ts';
import { newId } from '../../domain/ids.ts';
import { ConflictError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { CampaignCallFactsRow } from '../../store/calls/load-campaign-call-facts.ts';
import { addCampaignContacts } from '../../store/campaign-contacts.ts';
import type { Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { FieldErrors } from '../field-errors.ts';
import { checkPhoneTypes, contactFromInput, type StoredContact } from '../resources/contacts.ts';
import type { CampaignFact, ContactFact } from './check-campaign-call.ts';

const contacts = new ResourceRepository<StoredContact>('contacts');

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

/** Upserts the contact and adds it to the campaign, in the accept batch's transaction. */
export async function writeInlineContact(db: Executor, write: InlineContactWrite): Promise<void> {
  const extra = { external_id: write.data.externalId };
  const row = write.exists
    ? await contacts.update(db, write.tenantId, write.id, write.data, write.at, extra)
    : await contacts.insert(db, write.tenantId, write.id, write.data, extra);
  if (!row)
    throw new ConflictError('conflict', `Contact '${write.data.externalId}' changed concurrently; retry.`, {
      retryable: true,
    });
  await addCampaignContacts(db, write.tenantId, write.campaignId, [write.id]);
}
