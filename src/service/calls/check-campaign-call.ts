import type { CampaignCallInput } from '../../contract/calls.ts';
import { DIALABLE_STATUSES } from '../../domain/campaign-status.ts';
import { ConflictError, NotFoundError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { CampaignCallFactsRow } from '../../store/calls/load-campaign-call-facts.ts';
import type { StoredCallerId } from '../resources/caller-ids.ts';
import type { StoredCampaign } from '../resources/campaigns.ts';
import type { StoredContact } from '../resources/contacts.ts';
import { userWithoutDevice } from '../resources/user-without-device.ts';
import type { StoredUser } from '../resources/users.ts';
import type { CallPlan } from './call-plan.ts';

/** A campaign as the checks need it. */
export interface CampaignFact {
  id: string;
  data: StoredCampaign;
}

/** A contact as the checks need it. */
export interface ContactFact {
  id: string;
  data: StoredContact;
}

/**
 * The path resource and campaign state checks (404, then 409), first in the contract's order.
 * Returns the campaign, known to exist and be dialable.
 */
export function checkCampaignDialable(campaignId: string, facts: CampaignCallFactsRow): CampaignFact {
  const campaign = facts.campaign as CampaignFact | null;
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
  return campaign;
}

/** The contactId form's contact must exist in the tenant and be a member of the campaign (422). */
export function checkContactReference(
  campaign: CampaignFact,
  contactId: string,
  facts: CampaignCallFactsRow,
): ContactFact {
  const contact = facts.contact as ContactFact | null;
  if (!contact) {
    throw new PolicyRefusalError(
      'contact_not_found',
      `No contact with id '${contactId}' exists in this tenant.`,
      {
        pointer: '/contactId',
      },
    );
  }
  if (!facts.member) {
    throw new PolicyRefusalError(
      'contact_not_in_campaign',
      `Contact '${contact.id}' is not in campaign '${campaign.id}'. Add it with POST /v1/campaigns/${campaign.id}/contacts, or pass the contact inline.`,
      { pointer: '/contactId' },
    );
  }
  return contact;
}

/**
 * The body reference checks after the contact (phone type, requested agent, caller id) and the
 * plan the compliance decision runs on. Pure: every fact comes from `facts` (read for a whole
 * accept batch at once), so a request gets the same answer alone or in a batch.
 */
export function planFromFacts(
  campaign: CampaignFact,
  contact: ContactFact,
  input: CampaignCallInput,
  facts: CampaignCallFactsRow,
): CallPlan {
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
  if (input.userId !== undefined) checkAvailableUser(input.userId, campaign, facts);
  return {
    kind: 'campaign',
    campaignId: campaign.id,
    campaignStatus: campaign.data.status,
    contactId: contact.id,
    toNumber: chosen.number,
    phoneType: chosen.phoneType,
    requestedUserId: input.userId ?? null,
    callerId: campaignCallerId(campaign, facts),
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
    activeAgents: input.userId === undefined ? facts.activeAgents : null,
  };
}

/** The requested agent must exist, be active and (when the campaign lists agents) be one of them. */
function checkAvailableUser(userId: string, campaign: CampaignFact, facts: CampaignCallFactsRow): void {
  const user = facts.user as { id: string; data: StoredUser } | null;
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
  if (!user.data.device) throw userWithoutDevice(userId, user.data, '/userId');
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

/**
 * The campaign's caller id when it is verified, else — when it names none — the tenant's first
 * verified one; none at all is 422 `caller_id_not_verified` (same rule as resolveCallerId).
 */
function campaignCallerId(campaign: CampaignFact, facts: CampaignCallFactsRow): string {
  const wanted = campaign.data.callerId;
  if (wanted !== null) {
    if ((facts.campaignCallerId as StoredCallerId | null)?.verified) return wanted;
    throw new PolicyRefusalError(
      'caller_id_not_verified',
      `${wanted} (the campaign's callerId) is not a verified caller id of this tenant. Verify it with PUT /v1/caller-ids/${wanted} {"verified": true} (admin).`,
      { pointer: '/callerId', extensions: { callerId: wanted } },
    );
  }
  if (facts.firstVerifiedCallerId !== null) return facts.firstVerifiedCallerId;
  throw new PolicyRefusalError(
    'caller_id_not_verified',
    'This tenant has no verified caller id; verify one with PUT /v1/caller-ids/{e164} {"verified": true}.',
    { pointer: '/callerId' },
  );
}
