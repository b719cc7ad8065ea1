import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { CampaignCallInput, DirectCallInput } from '../../contract/calls.ts';
import { CampaignInput } from '../../contract/campaigns.ts';
import { ContactInput, MembershipInput, PhoneTypes } from '../../contract/contacts.ts';
import { CallerIdInput, TrunkInput, WebhookInput } from '../../contract/telephony-config.ts';
import { ClientInput, TenantInput } from '../../contract/tenancy.ts';
import { UserInput } from '../../contract/users.ts';

const COLLECTIONS: Record<string, TObject> = {
  '/v1/campaigns': CampaignInput,
  '/v1/contacts': ContactInput,
  '/v1/users': UserInput,
  '/v1/caller-ids': CallerIdInput,
  '/v1/trunks': TrunkInput,
  '/v1/webhooks': WebhookInput,
};

/**
 * The contract schema a request body was validated against, from the audited method and route
 * template (`PUT /v1/campaigns/:id`) — the same TypeBox schemas the server uses, so a body
 * re-checked here yields the server's pointers.
 */
export function requestSchema(method: string, route: string): TSchema | undefined {
  for (const [path, input] of Object.entries(COLLECTIONS)) {
    if (method === 'POST' && route === path) return input;
    if (route === `${path}/:id`) {
      if (method === 'PUT') return input;
      if (method === 'PATCH') return Type.Partial(input, { additionalProperties: false });
    }
  }
  const key = `${method} ${route}`;
  const fixed: Record<string, TSchema> = {
    'POST /v1/campaigns/:campaignId/calls': CampaignCallInput,
    'POST /v1/calls': DirectCallInput,
    'POST /v1/campaigns/:id/contacts': MembershipInput,
    'PUT /v1/settings/phone-types': PhoneTypes,
    'POST /v1/clients': ClientInput,
    'POST /v1/tenants/:id/clients': ClientInput,
    'POST /v1/tenants': TenantInput,
  };
  return fixed[key];
}

/** Where the API points for codes about a body reference (shared/api-contract.md, errors table). */
export const REFERENCE_POINTERS: Record<string, string> = {
  contact_not_found: '/contactId',
  contact_not_in_campaign: '/contactId',
  phone_type_not_on_contact: '/phoneType',
  user_not_found: '/userId',
  user_unavailable: '/userId',
  // caller_id_not_verified is not here: the caller id may come from the campaign or the tenant,
  // not the body (explain/caller-id-origin.ts).
};

/** Hints for fields users bring from other platforms (shared/api-contract.md "Hints"). */
export const FOREIGN_FIELDS: Record<string, string> = {
  phone: 'Numbers go in phoneNumbers: [{ phoneType, number }].',
  reasonCode: "Use 'reason' (≤ 64 characters).",
  callee: "Use 'to'.",
  campaignId: 'The campaign is taken from the path (/v1/campaigns/{id}/calls).',
  contactSpec: "Send 'contactId' (an existing contact) or 'contact' (inline).",
  status: 'Campaign status changes through POST /v1/campaigns/{id}/start, /pause, /resume and /stop.',
  callType: 'Set the dialing mode on the campaign.',
  routing: 'Routing is set on the campaign (agentIds).',
  scriptId: 'Scripts are not part of the call request; keep them in metadata.',
};
