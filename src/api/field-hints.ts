/**
 * "Did you mean" hints for the payload shapes users bring from other contact-center
 * platforms (shared/api-contract.md, "Hints"). Matched on the unknown field's name, where it
 * sits (parent pointer) and which kind of route received it.
 */
export interface ForeignFieldHint {
  field: string;
  /** Route kinds the hint applies to; absent = all. */
  routes?: readonly RouteKind[];
  /** Pointer of the object holding the field; absent = anywhere. */
  parent?: string;
  hint: string;
}

/** The kind of request a body was sent to, for choosing hints. */
export type RouteKind = 'campaign_call' | 'direct_call' | 'contact' | 'campaign' | 'other';

const PHONE_NUMBERS =
  'Contacts carry numbers as phoneNumbers: [{ "phoneType": "mobile", "number": "+14155550123" }].';
const ON_CAMPAIGN = 'is configured on the campaign (PUT /v1/campaigns/{id}), not per call.';

/** The hint table, as data. */
export const FOREIGN_FIELD_HINTS: readonly ForeignFieldHint[] = [
  { field: 'phone', hint: PHONE_NUMBERS },
  { field: 'phoneNumber', hint: PHONE_NUMBERS },
  { field: 'phones', hint: PHONE_NUMBERS },
  { field: 'mobile', parent: '/contact', hint: PHONE_NUMBERS },
  {
    field: 'callType',
    routes: ['campaign_call'],
    hint: `callType ${ON_CAMPAIGN} Campaign calls are always agent-first personal-connection calls.`,
  },
  {
    field: 'routing',
    routes: ['campaign_call'],
    hint: `routing ${ON_CAMPAIGN} Pass userId to ask for a specific agent.`,
  },
  {
    field: 'scriptId',
    routes: ['campaign_call'],
    hint: `scriptId ${ON_CAMPAIGN} Put per-call data in metadata.`,
  },
  {
    field: 'to',
    routes: ['campaign_call'],
    parent: '',
    hint: 'The number dialled is taken from the contact: pass contactId (and phoneType to pick one of its numbers). For a call to a bare number use POST /v1/calls.',
  },
  {
    field: 'from',
    routes: ['campaign_call'],
    parent: '',
    hint: "The caller id is the campaign's callerId (PUT /v1/campaigns/{id}).",
  },
  {
    field: 'from',
    routes: ['direct_call'],
    parent: '',
    hint: 'Use callerId (a verified caller id of the tenant).',
  },
  {
    field: 'contactSpec',
    hint: 'Pass the contact as contactId (an existing contact) or contact: { externalId, phoneNumbers } (upserted).',
  },
  { field: 'reasonCode', hint: 'Use reason (free text, up to 64 characters).' },
  { field: 'callee', hint: 'Use to (the external number, E.164).' },
  { field: 'user', parent: '', hint: 'Use userId: "usr_…" instead of a user object.' },
  { field: 'agentId', routes: ['campaign_call', 'direct_call'], hint: 'Use userId.' },
  {
    field: 'campaignId',
    routes: ['campaign_call'],
    parent: '',
    hint: 'The campaign is taken from the path: POST /v1/campaigns/{campaignId}/calls.',
  },
  {
    field: 'campaignId',
    routes: ['direct_call'],
    parent: '',
    hint: 'Direct calls have no campaign; for a campaign call use POST /v1/campaigns/{campaignId}/calls.',
  },
  {
    field: 'status',
    routes: ['campaign'],
    parent: '',
    hint: 'Campaign status changes through POST /v1/campaigns/{id}/start, /pause, /resume and /stop.',
  },
  { field: 'type', parent: '/phoneNumbers/*', hint: 'Use phoneType.' },
];

/** The foreign-shape hint for an unknown `field` under `parent`, if the table has one. */
export function foreignFieldHint(field: string, parent: string, route: RouteKind): string | undefined {
  const genericParent = parent.replace(/\/\d+(?=\/|$)/g, '/*');
  return FOREIGN_FIELD_HINTS.find(
    (entry) =>
      entry.field === field &&
      (entry.routes === undefined || entry.routes.includes(route)) &&
      (entry.parent === undefined ||
        entry.parent === parent ||
        entry.parent === genericParent ||
        (entry.parent !== '' && genericParent.endsWith(entry.parent))),
  )?.hint;
}
