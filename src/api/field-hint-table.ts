/** The kind of request a body was sent to, for choosing hints. */
export type RouteKind = 'campaign_call' | 'direct_call' | 'contact' | 'campaign' | 'user' | 'other';

/**
 * One "did you mean" hint for a field name users bring from another contact-center platform
 * (NICE CXone, Genesys Cloud, …). A hint must only name fields the route it is shown on
 * accepts, or say which other route takes them: `routes`, `parent` and `needs` pin where it holds.
 */
export interface ForeignFieldHint {
  /** The foreign field names (matched case-insensitively; a truncated name matches by prefix). */
  fields: readonly string[];
  /** Route kinds the hint applies to; absent = all. */
  routes?: readonly RouteKind[];
  /** Pointer of the object holding the field ('/*' stands for an array index); absent = anywhere. */
  parent?: string;
  /** A field the hint tells the client to use instead: the hint holds only where that object accepts it. */
  needs?: string;
  hint: string;
}

const CALLS: readonly RouteKind[] = ['campaign_call', 'direct_call'];
const E164 = '"+14155550123"';
// Where a foreign payload puts the number to dial (CXone phoneNumber, Genesys address, …).
const NUMBER_FIELDS = [
  'phone',
  'phoneNumber',
  'phones',
  'mobile',
  'number',
  'destination',
  'address',
  'callee',
];
const PHONE_NUMBERS = `Contacts carry numbers as phoneNumbers: [{ "phoneType": "mobile", "number": ${E164} }].`;
const NUMBER_FROM_CONTACT =
  'A campaign call dials a number of its contact: pass contactId (and phoneType to pick one of its numbers), or contact: { "externalId": …, "phoneNumbers": […] } to upsert one. For a call to a bare number use POST /v1/calls with to.';
const DIRECT_TO = `Use to: the number to call, in E.164 (like ${E164}).`;
const DIRECT_NOT_CONTACT =
  'Direct calls take to (the number to call). A call for a contact goes to POST /v1/campaigns/{campaignId}/calls with contactId.';
// Genesys routing data and scripts, CXone skills: none of it exists here.
const ROUTING_FIELDS = [
  'routing',
  'routingData',
  'scriptId',
  'script',
  'skillId',
  'skills',
  'queueId',
  'callFromQueueId',
];
const NO_ROUTING = 'pconn has no routing scripts, skills or queues:';
const NO_CALL_TYPES = 'pconn has no call types: the route decides.';
const MEMBERSHIP = 'Contacts join a campaign through POST /v1/campaigns/{id}/contacts { "contactIds": […] }';
const GENESYS_FROM = 'A from naming the user (as in Genesys) goes in userId.';

/** The hint table, as data; the first entry that applies wins, so route-specific ones come first. */
export const FOREIGN_FIELD_HINTS: readonly ForeignFieldHint[] = [
  // Numbers: where they go depends on the route (and, on campaign calls, on the object).
  {
    fields: ['phone', 'phoneNumber', 'phones', 'mobile', 'mobilePhone', 'homePhone', 'workPhone'],
    routes: ['contact', 'campaign_call'],
    needs: 'phoneNumbers',
    hint: PHONE_NUMBERS,
  },
  {
    fields: [...NUMBER_FIELDS, 'to', 'phoneNumbers'],
    routes: ['campaign_call'],
    parent: '',
    hint: NUMBER_FROM_CONTACT,
  },
  {
    fields: [...NUMBER_FIELDS, 'phoneNumbers'],
    routes: ['direct_call'],
    parent: '',
    hint: DIRECT_TO,
  },
  {
    fields: ['phone', 'phoneNumber', 'mobile', 'number'],
    routes: ['user'],
    parent: '',
    needs: 'device',
    hint: `An agent reached on a phone number has device: { "type": "phone", "number": ${E164} }.`,
  },
  {
    fields: ['sipUri', 'sipAddress', 'uri', 'extension'],
    routes: ['user'],
    parent: '',
    needs: 'device',
    hint: 'An agent reached at a SIP address has device: { "type": "sip", "uri": "sip:agent@pbx.example.com" }; a softphone that registers to pconn has device: { "type": "registered" }.',
  },
  {
    fields: ['phone', 'phoneNumber', 'phoneNumbers', 'number'],
    routes: ['campaign'],
    parent: '',
    hint: `A campaign presents its callerId; the numbers it calls are its contacts'. ${MEMBERSHIP}.`,
  },
  { fields: ['callee'], needs: 'to', hint: DIRECT_TO },
  { fields: ['type'], parent: '/phoneNumbers/*', needs: 'phoneType', hint: 'Use phoneType.' },

  // Contacts on call routes.
  {
    fields: ['contactSpec'],
    routes: ['campaign_call'],
    parent: '',
    hint: 'Pass the contact as contactId (an existing contact) or contact: { "externalId": …, "phoneNumbers": […] } (upserted and added to the campaign).',
  },
  {
    fields: ['contactId', 'contact', 'contactSpec', 'contactIds'],
    routes: ['direct_call'],
    parent: '',
    hint: DIRECT_NOT_CONTACT,
  },
  {
    fields: ['contactSpec', 'contacts', 'contactIds', 'contactList', 'contactListId'],
    routes: ['campaign'],
    parent: '',
    hint: `${MEMBERSHIP}; a call for one contact is POST /v1/campaigns/{id}/calls with contactId.`,
  },
  {
    fields: ['contacts', 'contactList', 'ids'],
    parent: '',
    needs: 'contactIds',
    hint: 'Use contactIds: a list of contact ids ("contactIds": ["<id>", …]).',
  },
  {
    fields: ['campaignId', 'campaignIds', 'campaign'],
    routes: ['contact'],
    parent: '',
    hint: `${MEMBERSHIP}.`,
  },

  // Call types and routing: pconn decides by route and by the campaign's agents and mode.
  {
    fields: ['callType'],
    routes: ['campaign_call'],
    hint: `${NO_CALL_TYPES} This one places a campaign call (agent first, for a contact of the campaign); a direct call to a number is POST /v1/calls.`,
  },
  {
    fields: ['callType'],
    routes: ['direct_call'],
    hint: `${NO_CALL_TYPES} This one places a direct call from a user's device to a number; a campaign call for a contact is POST /v1/campaigns/{campaignId}/calls.`,
  },
  {
    fields: ['callType'],
    hint: `${NO_CALL_TYPES} A campaign call is POST /v1/campaigns/{campaignId}/calls, a direct call is POST /v1/calls.`,
  },
  {
    fields: ROUTING_FIELDS,
    routes: ['campaign_call'],
    hint: `${NO_ROUTING} the campaign's agentIds and dialingMode (PUT /v1/campaigns/{id}) decide who is rung. Pass userId to ask for one agent.`,
  },
  {
    fields: ROUTING_FIELDS,
    routes: ['direct_call'],
    hint: `${NO_ROUTING} a direct call rings the device of the user in userId.`,
  },
  {
    fields: [...ROUTING_FIELDS, 'queue'],
    routes: ['campaign'],
    hint: `${NO_ROUTING} the campaign's agentIds and dialingMode decide who is rung.`,
  },

  // Caller id and the Genesys-style `from`.
  {
    fields: ['from'],
    routes: ['campaign_call'],
    parent: '',
    hint: `The caller id comes from the campaign's callerId (PUT /v1/campaigns/{id}). ${GENESYS_FROM}`,
  },
  {
    fields: ['from'],
    routes: ['direct_call'],
    parent: '',
    hint: `Set the caller id with callerId (a verified caller id of the tenant; default the tenant's). ${GENESYS_FROM}`,
  },
  {
    fields: ['callerId', 'callerAddress', 'ani'],
    routes: ['campaign_call'],
    parent: '',
    hint: "The caller id comes from the campaign's callerId (PUT /v1/campaigns/{id}), not per call.",
  },
  {
    fields: ['callerAddress', 'ani'],
    needs: 'callerId',
    hint: 'Use callerId (E.164, a verified caller id of the tenant).',
  },

  // Users and agents.
  {
    fields: ['user'],
    parent: '',
    needs: 'userId',
    hint: 'Pass the user\'s id as userId ("userId": "<id>"), not a user object.',
  },
  {
    fields: ['user', 'users', 'agent', 'agents', 'agentId', 'userIds'],
    routes: ['campaign'],
    parent: '',
    needs: 'agentIds',
    hint: 'List the users who take the campaign\'s calls by id in agentIds ("agentIds": ["<id>"]).',
  },
  { fields: ['agentId', 'callUserId'], needs: 'userId', hint: 'Use userId.' },

  // Renames.
  {
    fields: ['reasonCode'],
    routes: CALLS,
    needs: 'reason',
    hint: 'Use reason (free text, up to 64 characters).',
  },
  { fields: ['reasonCode'], needs: 'reason', hint: 'Use reason (free text).' },
  {
    fields: ['attributes', 'customData', 'uuiData', 'data'],
    routes: CALLS,
    parent: '',
    needs: 'metadata',
    hint: 'Put your own data in metadata (an object up to 4 KiB, echoed in the call and its events).',
  },
  { fields: ['firstName', 'lastName', 'fullName'], needs: 'name', hint: 'Use name (one string).' },

  // Path-borne and state fields.
  {
    fields: ['campaignId'],
    routes: ['campaign_call'],
    parent: '',
    hint: 'The campaign is taken from the path: POST /v1/campaigns/{campaignId}/calls.',
  },
  {
    fields: ['campaignId'],
    routes: ['direct_call'],
    parent: '',
    hint: 'Direct calls have no campaign; for a campaign call use POST /v1/campaigns/{campaignId}/calls.',
  },
  {
    fields: ['status'],
    routes: ['campaign'],
    parent: '',
    hint: 'Campaign status changes through POST /v1/campaigns/{id}/start, /pause, /resume and /stop.',
  },

  // Dialing settings under the names other dialers use (Genesys outbound campaigns, CXone,
  // Amazon Connect outbound), pointed at where pconn keeps them.
  {
    fields: [
      'abandonRate',
      'maxAbandonRate',
      'abandonRateTarget',
      'linesPerAgent',
      'maxLinesPerAgent',
      'maxCallsPerAgent',
    ],
    routes: ['campaign'],
    parent: '',
    needs: 'pacing',
    hint: 'Pacing settings live in pacing: { "abandonRateTarget": 0.03, "maxLinesPerAgent": 3 }.',
  },
  {
    fields: [
      'amd',
      'answeringMachineDetection',
      'machineDetection',
      'callAnalysisResponseSet',
      'callAnalysisResponseSetId',
      'callAnalysis',
    ],
    routes: ['campaign'],
    parent: '',
    needs: 'answerDetection',
    hint: 'Answer detection is answerDetection: { "enabled": true, "machineAction": "hangup" | "leave_message" | "connect" } (thresholds optional).',
  },
  {
    fields: ['wrapUp', 'wrapUpTime', 'wrapupTimeout', 'afterCallWork', 'acwSeconds'],
    routes: ['campaign'],
    parent: '',
    needs: 'wrapUpSeconds',
    hint: 'Use wrapUpSeconds (0–3600, default 10).',
  },
  {
    fields: ['abandonPrompt', 'abandonMessage', 'abandonAudio'],
    routes: ['campaign'],
    parent: '',
    needs: 'abandonPromptId',
    hint: 'Name an uploaded prompt in abandonPromptId (upload it with PUT /v1/prompts/{id}).',
  },
  {
    fields: ['machinePrompt', 'machineMessage', 'voicemailPrompt', 'voicemailMessage'],
    routes: ['campaign'],
    parent: '',
    needs: 'machinePromptId',
    hint: 'Name an uploaded prompt in machinePromptId (upload it with PUT /v1/prompts/{id}).',
  },
];
