import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
const cli = (args: string[]) => runCli(args, { env: serverEnv(server, dir) });

/** pconn's request id of each refused request, by the X-Request-Id the test sent with it. */
const ids = new Map<string, string>();
const idOf = (name: string) => ids.get(name) ?? name;

/** Sends a request named `id` (its X-Request-Id), checks it was refused with `code`, notes pconn's id. */
async function refused(
  id: string,
  code: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const res = await server.request<{ code: string }>(method, path, {
    ...options,
    headers: { 'x-request-id': id, ...options.headers },
  });
  assert.equal(res.body.code, code, res.text);
  ids.set(id, res.headers.get('x-request-id') ?? '');
}

before(async () => {
  server = await startTestServer();
  dir = tempConfigDir();
  await server.request('PUT', '/v1/campaigns/draft-camp', { body: { name: 'Draft' } });
  await server.request('PUT', '/v1/campaigns/live-camp', { body: { name: 'Live' } });
  await server.request('POST', '/v1/campaigns/live-camp/start');
  await refused('x-invalid-request', 'invalid_request', 'PUT', '/v1/campaigns/c1', {
    body: { nmae: 'Spring', callerId: '4155550100' },
  });
  await refused('x-invalid-json', 'invalid_json', 'POST', '/v1/campaigns', {
    rawBody: '{"name": "Spring",}',
    headers: { 'content-type': 'application/json' },
  });
  await refused('x-media-type', 'unsupported_media_type', 'POST', '/v1/campaigns', {
    rawBody: 'name=Spring',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  await refused('x-not-found', 'not_found', 'GET', '/v1/campaigns/nope');
  await refused('x-transition', 'invalid_transition', 'POST', '/v1/campaigns/draft-camp/resume');
  await refused('x-not-dialable', 'campaign_not_dialable', 'POST', '/v1/campaigns/draft-camp/calls', {
    body: { contactId: 'ghost' },
  });
  await refused('x-contact', 'contact_not_found', 'POST', '/v1/campaigns/live-camp/calls', {
    body: { contactId: 'ghost' },
  });
  // A campaign whose default caller id was never verified; the request names none.
  await server.request('PUT', '/v1/campaigns/unverified-camp', {
    body: { name: 'Unverified', callerId: '+12125550177' },
  });
  await server.request('POST', '/v1/campaigns/unverified-camp/start');
  await server.request('PUT', '/v1/contacts/ct-u', {
    body: { externalId: 'ct-u', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
  });
  await server.request('POST', '/v1/campaigns/unverified-camp/contacts', { body: { contactIds: ['ct-u'] } });
  await refused(
    'x-campaign-caller',
    'caller_id_not_verified',
    'POST',
    '/v1/campaigns/unverified-camp/calls',
    {
      body: { contactId: 'ct-u' },
    },
  );
  await server.request('PUT', '/v1/users/u-direct', {
    body: { name: 'U', device: { type: 'sip', uri: 'sip:u@sandbox.invalid' } },
  });
  await refused('x-request-caller', 'caller_id_not_verified', 'POST', '/v1/calls', {
    body: { userId: 'u-direct', to: '+12125550100', callerId: '+12125550188' },
  });
});
after(() => server.close());

describe('pconn explain REQUEST_ID', () => {
  test('invalid_request: every pointer with its detail and hint, and how to fix it', async () => {
    const { code, stdout, stderr } = await cli(['explain', idOf('x-invalid-request')]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`request ${idOf('x-invalid-request')}: PUT`));
    assert.match(stdout, /: PUT \/v1\/campaigns\/c1 \(route \/v1\/campaigns\/:id\)/);
    assert.match(stdout, /answered HTTP 400 invalid_request: Invalid request/);
    assert.match(stdout, /- \/name: 'name' is required\./);
    assert.match(stdout, /- \/nmae: Unknown field 'nmae'\.[^\n]*\n\s+hint: Did you mean 'name'\?/);
    assert.match(stdout, /- \/callerId: .*\n\s+hint: Did you mean '\+14155550100'\?/);
    assert.match(stdout, /how to fix it:\n\s+Fix every field listed/);
  });

  test('invalid_json, unsupported_media_type, not_found, invalid_transition, campaign_not_dialable, contact_not_found', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['x-invalid-json', 'invalid_json', /- \(whole body\): .*JSON/],
      ['x-media-type', 'unsupported_media_type', /Content-Type: application\/json/],
      ['x-not-found', 'not_found', /answered HTTP 404 not_found/],
      ['x-transition', 'invalid_transition', /answered HTTP 409 invalid_transition/],
      ['x-not-dialable', 'campaign_not_dialable', /answered HTTP 409 campaign_not_dialable/],
      ['x-contact', 'contact_not_found', /- \/contactId: No contact with id 'ghost' exists in this tenant\./],
    ];
    const results = await Promise.all(cases.map(([id]) => cli(['explain', idOf(id), '--json'])));
    const texts = await Promise.all(cases.map(([id]) => cli(['explain', idOf(id)])));
    for (const [i, [id, code, human]] of cases.entries()) {
      const result = results[i];
      assert.ok(result);
      assert.equal(result.code, 0, result.stderr);
      const explanation = JSON.parse(result.stdout);
      assert.equal(explanation.requestId, idOf(id));
      assert.equal(explanation.code, code);
      assert.ok(explanation.status >= 400);
      assert.ok(explanation.title, `${code} has a title`);
      assert.ok(explanation.howToFix, `${code} says how to fix it`);
      const text = texts[i];
      assert.ok(text);
      assert.match(text.stdout, human, text.stdout);
      assert.match(text.stdout, /how to fix it:/);
    }
  });

  test('caller_id_not_verified says whether the caller id came from the campaign or the request', async () => {
    const fromCampaign = await cli(['explain', idOf('x-campaign-caller')]);
    assert.equal(fromCampaign.code, 0, fromCampaign.stderr);
    assert.match(fromCampaign.stdout, /answered HTTP 422 caller_id_not_verified/);
    assert.match(
      fromCampaign.stdout,
      /- \(whole body\): The request sent no callerId, so campaign 'unverified-camp''s callerId \+12125550177 was used, and it is not a verified caller id/,
    );
    assert.match(
      fromCampaign.stdout,
      /hint: Verify it with PUT \/v1\/caller-ids\/\+12125550177 .*PATCH \/v1\/campaigns\/unverified-camp/,
    );
    assert.doesNotMatch(fromCampaign.stdout, /missing/);
    const json = await cli(['explain', idOf('x-campaign-caller'), '--json']);
    assert.equal(JSON.parse(json.stdout).callerIdSource, 'campaign');

    const fromRequest = await cli(['explain', idOf('x-request-caller'), '--json']);
    assert.equal(fromRequest.code, 0, fromRequest.stderr);
    const explained = JSON.parse(fromRequest.stdout);
    assert.equal(explained.callerIdSource, 'request');
    assert.equal(explained.errors[0].pointer, '/callerId');
    assert.match(
      explained.errors[0].detail,
      /'\+12125550188' \(sent in this request\) is not a verified caller id/,
    );
  });

  test('an unknown request id exits 1 and says why it may be missing', async () => {
    const { code, stdout } = await cli(['explain', 'never-sent']);
    assert.equal(code, 1);
    assert.match(stdout, /no request never-sent in your tenant's audit trail/);
  });
});
