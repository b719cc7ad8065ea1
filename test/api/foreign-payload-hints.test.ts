import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// Payload shapes forum users sent to NICE CXone and Genesys Cloud, replayed at pconn through the
// real app. Each row pins where the hint appears (route, pointer, code) and what it says; a
// hint must name only fields the route accepts, or name the route that takes them.

type FieldError = { pointer: string; code: string; detail: string; hint?: string };
type Problem = { status: number; code: string; errors?: FieldError[] };

/** One replayed shape: `hint` is a regex of the hint's key part, or null when none may be given. */
interface Row {
  name: string;
  method: 'POST' | 'PUT';
  path: string;
  body: Record<string, unknown>;
  pointer: string;
  hint: RegExp | null;
  /** Text the hint must not contain (a field the route rejects, a wrong id form). */
  not?: RegExp;
}

const CAMPAIGN_CALLS = '/v1/campaigns/hints-campaign/calls';
const DIRECT_CALLS = '/v1/calls';
const E164 = '+14155550123';
const direct = { userId: 'agent-7', to: E164 };
const contactCall = { contactId: 'contact-1' };
const user = { name: 'Ada', device: { type: 'registered' } };
const NO_ROUTING = /no routing scripts.*the campaign's agentIds and dialingMode.*decide who is rung/;

const rows: Row[] = [
  // POST /v1/campaigns/{id}/calls
  {
    name: 'campaign call: scriptId (Genesys) → agentIds and dialingMode, not a campaign field',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, scriptId: 'script-1' },
    pointer: '/scriptId',
    hint: NO_ROUTING,
    not: /configured on the campaign/,
  },
  {
    name: 'campaign call: routing → agentIds and dialingMode',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, routing: { queueId: 'q1' } },
    pointer: '/routing',
    hint: NO_ROUTING,
    not: /configured on the campaign/,
  },
  {
    name: 'campaign call: skillId (CXone) → agentIds and dialingMode',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, skillId: 4711 },
    pointer: '/skillId',
    hint: NO_ROUTING,
  },
  {
    name: 'campaign call: callType → the route decides, direct calls at POST /v1/calls',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, callType: 'agentless' },
    pointer: '/callType',
    hint: /the route decides.*campaign call.*POST \/v1\/calls/,
    not: /configured on the campaign/,
  },
  {
    name: 'campaign call: user {id} → userId with a neutral example',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, user: { id: 'agent-7' } },
    pointer: '/user',
    hint: /userId \("userId": "<id>"\)/,
    not: /usr_/,
  },
  {
    name: 'campaign call: Genesys from → campaign callerId, or userId for a user',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, from: 'agent-7' },
    pointer: '/from',
    hint: /campaign's callerId.*from naming the user.*userId/,
  },
  {
    name: 'campaign call: callerId → the campaign carries it',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, callerId: E164 },
    pointer: '/callerId',
    hint: /campaign's callerId \(PUT \/v1\/campaigns\/\{id\}\)/,
  },
  {
    name: 'campaign call: to → the number comes from the contact',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, to: E164 },
    pointer: '/to',
    hint: /contactId \(and phoneType to pick one of its numbers\)/,
  },
  {
    name: 'campaign call: phoneNumber at the top → the contact, not phoneNumbers here',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, phoneNumber: E164 },
    pointer: '/phoneNumber',
    hint: /campaign call dials a number of its contact: pass contactId/,
    not: /^Contacts carry/,
  },
  {
    name: 'campaign call: a truncated pho → the contact',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, pho: E164 },
    pointer: '/pho',
    hint: /campaign call dials a number of its contact/,
  },
  {
    name: 'campaign call: contact.phone → phoneNumbers',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { contact: { externalId: 'x-1', phone: E164 } },
    pointer: '/contact/phone',
    hint: /phoneNumbers: \[\{ "phoneType": "mobile", "number": "\+14155550123" \}\]/,
  },
  {
    name: 'campaign call: contactSpec → contactId or contact',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { contactSpec: { contactId: 'c1' } },
    pointer: '/contactSpec',
    hint: /contactId \(an existing contact\) or contact:/,
  },
  {
    name: 'campaign call: reasonCode → reason',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, reasonCode: 'renewal' },
    pointer: '/reasonCode',
    hint: /Use reason \(free text, up to 64 characters\)/,
  },
  {
    name: 'campaign call: body campaignId → the path',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, campaignId: 'c' },
    pointer: '/campaignId',
    hint: /taken from the path/,
  },
  {
    name: 'campaign call: agentId → userId',
    method: 'POST',
    path: CAMPAIGN_CALLS,
    body: { ...contactCall, agentId: 'agent-7' },
    pointer: '/agentId',
    hint: /^Use userId\.$/,
  },

  // POST /v1/calls
  {
    name: 'direct call: phoneNumber → to, not phoneNumbers',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { userId: 'agent-7', phoneNumber: E164 },
    pointer: '/phoneNumber',
    hint: /^Use to: the number to call/,
  },
  {
    name: 'direct call: CXone PascalCase PhoneNumber → to',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { userId: 'agent-7', PhoneNumber: E164 },
    pointer: '/PhoneNumber',
    hint: /^Use to: the number to call/,
  },
  {
    name: 'direct call: phoneNumbers → to',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { userId: 'agent-7', phoneNumbers: [{ phoneType: 'mobile', number: E164 }] },
    pointer: '/phoneNumbers',
    hint: /^Use to: the number to call/,
  },
  {
    name: 'direct call: a truncated pho → to',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { userId: 'agent-7', pho: E164 },
    pointer: '/pho',
    hint: /^Use to: the number to call/,
  },
  {
    name: 'direct call: contactId → to, or the campaign calls route',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { ...direct, contactId: 'contact-1' },
    pointer: '/contactId',
    hint: /Direct calls take to.*POST \/v1\/campaigns\/\{campaignId\}\/calls with contactId/,
  },
  {
    name: 'direct call: Genesys from → callerId, or userId for a user',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { to: E164, from: 'agent-7' },
    pointer: '/from',
    hint: /caller id with callerId.*from naming the user.*userId/,
  },
  {
    name: 'direct call: callType → the route decides, campaign calls elsewhere',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { ...direct, callType: 'manual' },
    pointer: '/callType',
    hint: /the route decides.*direct call.*POST \/v1\/campaigns\/\{campaignId\}\/calls/,
  },
  {
    name: 'direct call: scriptId → the user in userId is rung',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { ...direct, scriptId: 's' },
    pointer: '/scriptId',
    hint: /no routing scripts.*user in userId/,
  },
  {
    name: 'direct call: callee → to',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { userId: 'agent-7', callee: E164 },
    pointer: '/callee',
    hint: /^Use to\b/,
  },
  {
    name: 'direct call: user {id} → userId with a neutral example',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { to: E164, user: { id: 'agent-7' } },
    pointer: '/user',
    hint: /userId \("userId": "<id>"\)/,
    not: /usr_/,
  },
  {
    name: 'direct call: body campaignId → direct calls have none',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { ...direct, campaignId: 'c' },
    pointer: '/campaignId',
    hint: /Direct calls have no campaign/,
  },
  {
    name: 'direct call: uuiData (Genesys) → metadata',
    method: 'POST',
    path: DIRECT_CALLS,
    body: { ...direct, uuiData: 'x' },
    pointer: '/uuiData',
    hint: /metadata/,
  },

  // Contacts
  {
    name: 'contact: phone → phoneNumbers',
    method: 'POST',
    path: '/v1/contacts',
    body: { externalId: 'h1', phone: E164 },
    pointer: '/phone',
    hint: /phoneNumbers: \[\{ "phoneType"/,
  },
  {
    name: 'contact: a truncated pho → phoneNumbers',
    method: 'POST',
    path: '/v1/contacts',
    body: { externalId: 'h1', pho: E164 },
    pointer: '/pho',
    hint: /phoneNumbers: \[\{ "phoneType"/,
  },
  {
    name: 'contact: mobile at the top → phoneNumbers',
    method: 'POST',
    path: '/v1/contacts',
    body: { externalId: 'h1', mobile: E164 },
    pointer: '/mobile',
    hint: /phoneNumbers: \[\{ "phoneType"/,
  },
  {
    name: 'contact: a number type as type → phoneType',
    method: 'POST',
    path: '/v1/contacts',
    body: { externalId: 'h2', phoneNumbers: [{ type: 'mobile', number: E164 }] },
    pointer: '/phoneNumbers/0/type',
    hint: /^Use phoneType\.$/,
  },
  {
    name: 'contact: campaignId → the membership route',
    method: 'POST',
    path: '/v1/contacts',
    body: { externalId: 'h3', campaignId: 'c' },
    pointer: '/campaignId',
    hint: /POST \/v1\/campaigns\/\{id\}\/contacts/,
  },
  {
    name: 'contact: firstName → name',
    method: 'POST',
    path: '/v1/contacts',
    body: { externalId: 'h4', firstName: 'Ada' },
    pointer: '/firstName',
    hint: /^Use name/,
  },

  // Campaigns
  {
    name: 'campaign: scriptId → agentIds and dialingMode',
    method: 'PUT',
    path: '/v1/campaigns/hints-campaign',
    body: { name: 'x', scriptId: 's' },
    pointer: '/scriptId',
    hint: NO_ROUTING,
  },
  {
    name: 'campaign: callType → the route decides',
    method: 'PUT',
    path: '/v1/campaigns/hints-campaign',
    body: { name: 'x', callType: 'agentless' },
    pointer: '/callType',
    hint: /the route decides.*POST \/v1\/campaigns\/\{campaignId\}\/calls.*POST \/v1\/calls/,
  },
  {
    name: 'campaign: status → the transition routes',
    method: 'POST',
    path: '/v1/campaigns',
    body: { name: 'x', status: 'running' },
    pointer: '/status',
    hint: /\/start/,
  },
  {
    name: 'campaign: contactSpec → the membership route, not contactId here',
    method: 'POST',
    path: '/v1/campaigns',
    body: { name: 'x', contactSpec: {} },
    pointer: '/contactSpec',
    hint: /POST \/v1\/campaigns\/\{id\}\/contacts \{ "contactIds"/,
    not: /^Pass the contact/,
  },
  {
    name: 'campaign: user → agentIds, not userId',
    method: 'POST',
    path: '/v1/campaigns',
    body: { name: 'x', user: { id: 'agent-7' } },
    pointer: '/user',
    hint: /agentIds \("agentIds": \["<id>"\]\)/,
    not: /userId|usr_/,
  },
  {
    name: 'campaign: phoneNumber → callerId and contacts, not phoneNumbers here',
    method: 'POST',
    path: '/v1/campaigns',
    body: { name: 'x', phoneNumber: E164 },
    pointer: '/phoneNumber',
    hint: /presents its callerId/,
  },
  {
    name: 'campaign: reasonCode gets no hint (campaigns take no reason)',
    method: 'POST',
    path: '/v1/campaigns',
    body: { name: 'x', reasonCode: 'a' },
    pointer: '/reasonCode',
    hint: null,
  },

  // Campaign membership
  {
    name: 'membership: contacts → contactIds',
    method: 'POST',
    path: '/v1/campaigns/hints-campaign/contacts',
    body: { contacts: [{ id: 'contact-1' }] },
    pointer: '/contacts',
    hint: /^Use contactIds/,
  },

  // Users
  {
    name: 'user: callee gets no hint (users take no to)',
    method: 'POST',
    path: '/v1/users',
    body: { ...user, callee: E164 },
    pointer: '/callee',
    hint: null,
  },
  {
    name: 'user: phoneNumber → a phone device',
    method: 'POST',
    path: '/v1/users',
    body: { ...user, phoneNumber: E164 },
    pointer: '/phoneNumber',
    hint: /device: \{ "type": "phone", "number": "\+14155550123" \}/,
  },
];

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { PCONN_RATE_LIMIT_RPS: '1000', PCONN_RATE_LIMIT_BURST: '2000' } });
});
after(() => server.close());

describe('foreign payload shapes get hints that fit the route', () => {
  for (const row of rows) {
    test(row.name, async () => {
      const response = await server.request(row.method, row.path, { body: row.body });
      const problem = response.body as Problem;
      assert.equal(response.status, 400, JSON.stringify(problem));
      assert.equal(problem.code, 'invalid_request');
      const error = problem.errors?.find((e) => e.pointer === row.pointer);
      assert.ok(error, `no error at ${row.pointer}: ${JSON.stringify(problem.errors)}`);
      assert.equal(error.code, 'unknown_field');
      if (row.hint === null) assert.equal(error.hint, undefined, 'no hint expected');
      else assert.match(error.hint ?? '(no hint)', row.hint);
      if (row.not) assert.doesNotMatch(error.hint ?? '', row.not);
    });
  }
});
