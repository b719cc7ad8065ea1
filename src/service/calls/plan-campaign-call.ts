import type { CampaignCallInput } from '../../contract/calls.ts';
import { newId } from '../../domain/ids.ts';
import { ConflictError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { loadCampaignCallFacts } from '../../store/calls/load-campaign-call-facts.ts';
import { addCampaignContacts } from '../../store/campaign-contacts.ts';
import type { Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { FieldErrors } from '../field-errors.ts';
import { checkPhoneTypes, contactFromInput, type StoredContact } from '../resources/contacts.ts';
import type { CallPlan } from './call-plan.ts';
import {
  type CampaignFact,
  type ContactFact,
  checkCampaignDialable,
  checkContactReference,
  planFromFacts,
} from './check-campaign-call.ts';

const contacts = new ResourceRepository<StoredContact>('contacts');

/**
 * Checks a campaign call request in the contract's order — path resource (404), campaign state
 * (409), body references (422) — and gathers what the compliance decision needs. The facts come
 * from the same one-statement read the batched accept path uses, and the same pure checks judge
 * them. An inline contact is upserted and added to the campaign inside the caller's transaction
 * (unless `dryRun`).
 */
export async function planCampaignCall(
  db: Executor,
  ctx: RequestContext,
  campaignId: string,
  input: CampaignCallInput,
  dryRun: boolean,
): Promise<CallPlan> {
  const [facts] = await loadCampaignCallFacts(db, [
    {
      tenantId: ctx.tenant.id,
      campaignId,
      contactId: input.contactId ?? '',
      userId: input.userId ?? null,
      callId: null,
    },
  ]);
  if (!facts) throw new Error('one facts row per key');
  const campaign = checkCampaignDialable(campaignId, facts);
  const contact =
    input.contactId !== undefined
      ? checkContactReference(campaign, input.contactId, facts)
      : await upsertInlineContact(db, ctx, campaign, input, dryRun);
  return planFromFacts(campaign, contact, input, facts);
}

/** Upserts the inline contact by externalId and adds it to the campaign (nothing is written on a dry run). */
async function upsertInlineContact(
  db: Executor,
  ctx: RequestContext,
  campaign: CampaignFact,
  input: CampaignCallInput,
  dryRun: boolean,
): Promise<ContactFact> {
  const inline = input.contact;
  if (!inline) throw new Error('schema guarantees contactId or contact');
  const errors = new FieldErrors();
  checkPhoneTypes(errors, inline.phoneNumbers ?? [], ctx.tenant.phoneTypes, '/contact/phoneNumbers');
  errors.throwIfAny('The inline contact has invalid fields.');
  const data = contactFromInput(inline, ctx.now);
  const existing = await db
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', ctx.tenant.id)
    .where('external_id', '=', inline.externalId)
    .forUpdate()
    .executeTakeFirst();
  const id = existing?.id ?? newId('contact');
  if (dryRun) return { id, data };
  const row = existing
    ? await contacts.update(db, ctx.tenant.id, id, data, ctx.now, { external_id: data.externalId })
    : await contacts.insert(db, ctx.tenant.id, id, data, { external_id: data.externalId });
  if (!row)
    throw new ConflictError('conflict', `Contact '${inline.externalId}' changed concurrently; retry.`, {
      retryable: true,
    });
  await addCampaignContacts(db, ctx.tenant.id, campaign.id, [id]);
  return { id: row.id, data: row.data };
}
