import type { CampaignCallInput } from '../../contract/calls.ts';
import { DIALABLE_STATUSES } from '../../domain/campaign-status.ts';
import { newId } from '../../domain/ids.ts';
import { ConflictError, NotFoundError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { addCampaignContacts, isCampaignMember } from '../../store/campaign-contacts.ts';
import type { Executor } from '../../store/database.ts';
import { ResourceRepository, type ResourceRow } from '../../store/resources.ts';
import { FieldErrors } from '../field-errors.ts';
import type { StoredCampaign } from '../resources/campaigns.ts';
import { checkPhoneTypes, contactFromInput, type StoredContact } from '../resources/contacts.ts';
import type { StoredUser } from '../resources/users.ts';
import type { CallPlan } from './call-plan.ts';
import { resolveCallerId } from './resolve-caller-id.ts';

const campaigns = new ResourceRepository<StoredCampaign>('campaigns');
const contacts = new ResourceRepository<StoredContact>('contacts');
const users = new ResourceRepository<StoredUser>('users');

/**
 * Checks a campaign call request in the contract's order — path resource (404), campaign state
 * (409), body references (422) — and gathers what the compliance decision needs. An inline
 * contact is upserted and added to the campaign inside the caller's transaction (unless `dryRun`).
 */
export async function planCampaignCall(
  db: Executor,
  ctx: RequestContext,
  campaignId: string,
  input: CampaignCallInput,
  dryRun: boolean,
): Promise<CallPlan> {
  const campaign = await campaigns.find(db, ctx.tenant.id, campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  const status = campaign.data.status;
  if (!DIALABLE_STATUSES.has(status) || !campaign.data.allowApiCalls) {
    const why = !campaign.data.allowApiCalls
      ? 'does not allow API calls (allowApiCalls is false)'
      : `is ${status}; calls can be placed while it is running or scheduled`;
    throw new ConflictError('campaign_not_dialable', `Campaign '${campaignId}' ${why}.`, {
      extensions: { campaignStatus: status, allowApiCalls: campaign.data.allowApiCalls },
    });
  }
  const contact = await resolveContact(db, ctx, campaign, input, dryRun);
  const numbers = contact.data.phoneNumbers;
  const chosen = input.phoneType ? numbers.find((n) => n.phoneType === input.phoneType) : numbers[0];
  if (!chosen) {
    const available = [...new Set(numbers.map((n) => n.phoneType))];
    throw new PolicyRefusalError(
      'phone_type_not_on_contact',
      input.phoneType
        ? `Contact '${contact.id}' has no '${input.phoneType}' number; it has: ${available.join(', ') || 'no numbers'}.`
        : `Contact '${contact.id}' has no phone numbers.`,
      {
        pointer: input.phoneType ? '/phoneType' : input.contact ? '/contact/phoneNumbers' : '/contactId',
        extensions: { availablePhoneTypes: available },
      },
    );
  }
  if (input.userId !== undefined) await requireAvailableUser(db, ctx, input.userId, campaign);
  const callerId = await resolveCallerId(db, ctx, campaign.data.callerId, undefined);
  return {
    kind: 'campaign',
    campaignId,
    campaignStatus: status,
    contactId: contact.id,
    toNumber: chosen.number,
    phoneType: chosen.phoneType,
    requestedUserId: input.userId ?? null,
    callerId,
    reason: input.reason ?? null,
    metadata: input.metadata ?? {},
    notBefore: input.notBefore ? new Date(input.notBefore) : null,
    outsideWindow: input.outsideWindow ?? 'schedule',
    window: campaign.data.callingWindow,
    contactTimezone: contact.data.timezone,
    fallbackTimezone: campaign.data.timezone,
    consent: contact.data.consent,
    maxAttempts: campaign.data.maxAttemptsPerContact,
    minRedialGapSeconds: campaign.data.retryPolicy.minRedialGapSeconds,
  };
}

async function resolveContact(
  db: Executor,
  ctx: RequestContext,
  campaign: ResourceRow<StoredCampaign>,
  input: CampaignCallInput,
  dryRun: boolean,
): Promise<ResourceRow<StoredContact>> {
  if (input.contactId !== undefined) {
    const found = await contacts.find(db, ctx.tenant.id, input.contactId);
    if (!found) {
      throw new PolicyRefusalError(
        'contact_not_found',
        `No contact with id '${input.contactId}' exists in this tenant.`,
        { pointer: '/contactId' },
      );
    }
    if (!(await isCampaignMember(db, ctx.tenant.id, campaign.id, found.id))) {
      throw new PolicyRefusalError(
        'contact_not_in_campaign',
        `Contact '${found.id}' is not in campaign '${campaign.id}'. Add it with POST /v1/campaigns/${campaign.id}/contacts, or pass the contact inline.`,
        { pointer: '/contactId' },
      );
    }
    return found;
  }
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
  if (dryRun) return { id, seq: 0, data, createdAt: ctx.now, updatedAt: ctx.now };
  const row = existing
    ? await contacts.update(db, ctx.tenant.id, id, data, { external_id: data.externalId })
    : await contacts.insert(db, ctx.tenant.id, id, data, { external_id: data.externalId });
  if (!row)
    throw new ConflictError('conflict', `Contact '${inline.externalId}' changed concurrently; retry.`, {
      retryable: true,
    });
  await addCampaignContacts(db, ctx.tenant.id, campaign.id, [id]);
  return row;
}

/** The requested agent must exist, be active and (when the campaign lists agents) be one of them. */
async function requireAvailableUser(
  db: Executor,
  ctx: RequestContext,
  userId: string,
  campaign: ResourceRow<StoredCampaign>,
): Promise<void> {
  const user = await users.find(db, ctx.tenant.id, userId);
  if (!user)
    throw new PolicyRefusalError('user_not_found', `No user with id '${userId}' exists in this tenant.`, {
      pointer: '/userId',
    });
  if (user.data.status !== 'active') {
    throw new PolicyRefusalError('user_unavailable', `User '${userId}' is ${user.data.status}.`, {
      pointer: '/userId',
      extensions: { userStatus: user.data.status },
    });
  }
  const agents = campaign.data.agentIds;
  if (agents.length > 0 && !agents.includes(userId)) {
    throw new PolicyRefusalError(
      'user_unavailable',
      `User '${userId}' is not an agent of campaign '${campaign.id}' (agentIds).`,
      {
        pointer: '/userId',
        extensions: { userStatus: user.data.status, campaignAgentIds: agents },
      },
    );
  }
}
