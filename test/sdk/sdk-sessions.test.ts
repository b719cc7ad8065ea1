import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentSessionStatus, PconnApiError, PconnClient } from '../../src/sdk/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * client.sessions against a live server on the default sandbox telephony: the agent's device
 * answers at once, so a started session reaches `ready` and carries campaign calls.
 */

let server: TestServer;
let client: PconnClient;

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  client = new PconnClient({
    baseUrl: server.url,
    clientId: server.adminId,
    clientSecret: server.adminSecret,
  });
  await client.callerIds.put('+12125550100', { verified: true });
  for (const id of ['ses-agent', 'ses-fresh'])
    await client.users.put(id, { name: id, device: { type: 'sip', uri: `sip:${id}@sandbox.invalid` } });
  await client.campaigns.put('ses-camp', {
    name: 'Sessions',
    callerId: '+12125550100',
    agentIds: ['ses-agent', 'ses-fresh'],
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
  });
  await client.campaigns.start('ses-camp');
});
after(() => server.close());

describe('SDK: personal-connection sessions', () => {
  test('start → ready → a call through the session → end → ended', async () => {
    const started = await client.sessions.start('ses-agent', { campaignIds: ['ses-camp'] });
    assert.equal(started.created, true);
    assert.match(started.session.id, /^ses_/);
    assert.equal(started.session.status, 'starting');
    assert.deepEqual(started.session.campaignIds, ['ses-camp']);

    const again = await client.sessions.start('ses-agent', { campaignIds: ['ses-camp'] });
    assert.equal(again.created, false, 'PUT on the open session is an update (200)');
    assert.equal(again.session.id, started.session.id);

    const seen: AgentSessionStatus[] = [];
    const ready = await client.sessions.waitUntil('ses-agent', 'ready', {
      intervalMs: 20,
      onChange: (s) => seen.push(s.status),
    });
    assert.equal(ready.id, started.session.id);
    assert.equal(ready.agentLeg.state, 'held');
    assert.ok(ready.readyAt);
    assert.equal(seen.at(-1), 'ready');
    assert.deepEqual(await client.sessions.get('ses-agent'), ready);

    const call = await client.calls.createForCampaign('ses-camp', {
      userId: 'ses-agent',
      contact: { externalId: 'ses-c1', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
    });
    assert.equal((await client.calls.waitUntilTerminal(call.id, { intervalMs: 20 })).status, 'completed');
    const types = (await client.calls.timeline(call.id)).map((e) => e.type);
    assert.ok(!types.includes('call.dialing_user'), `the agent was not rung again: ${types.join(' ')}`);
    const after = await client.sessions.waitUntil('ses-agent', 'ready', { intervalMs: 20 });
    assert.equal(after.callsHandled, 1);

    const ending = await client.sessions.end('ses-agent');
    assert.equal(ending.status, 'ending', 'the leg is up, so the end is asynchronous (202)');
    const ended = await client.sessions.waitUntil('ses-agent', 'ended', { intervalMs: 20 });
    assert.equal(ended.endReason, 'ended_by_request');
    assert.equal(ended.agentLeg.state, 'ended');
    const repeated = await client.sessions.end('ses-agent');
    assert.equal(repeated.status, 'ended');
    assert.equal(repeated.id, started.session.id);
  });

  test('waitUntil gives up at once on an ended session instead of waiting for the timeout', async () => {
    await client.sessions.start('ses-fresh');
    await client.sessions.waitUntil('ses-fresh', ['ready', 'on_call'], { intervalMs: 20 });
    await client.sessions.end('ses-fresh');
    await client.sessions.waitUntil('ses-fresh', 'ended', { intervalMs: 20 });
    const startedAt = Date.now();
    const error = await client.sessions
      .waitUntil('ses-fresh', 'ready', { timeoutMs: 30_000 })
      .catch((e) => e);
    assert.ok(error instanceof Error);
    assert.match(error.message, /ended \(ended_by_request\b.*\) before reaching ready/);
    assert.ok(Date.now() - startedAt < 5_000, 'did not poll until the timeout');
  });

  test('refusals are PconnApiError with the API problem', async () => {
    const unknown = await client.sessions.start('nobody').catch((e) => e);
    assert.ok(unknown instanceof PconnApiError);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.code, 'not_found');
    assert.equal(unknown.problem.resource, 'user');

    await client.users.put('ses-never', { name: 'Never', device: { type: 'registered' } });
    const none = await client.sessions.get('ses-never').catch((e) => e);
    assert.ok(none instanceof PconnApiError);
    assert.equal(none.status, 404);
    assert.equal(none.problem.resource, 'session');

    const ghost = await client.sessions.start('ses-never', { campaignIds: ['ghost'] }).catch((e) => e);
    assert.ok(ghost instanceof PconnApiError);
    assert.equal(ghost.status, 422);
    assert.equal(ghost.code, 'campaign_not_found');
    assert.deepEqual(
      ghost.errors.map((e) => e.pointer),
      ['/campaignIds/0'],
    );
  });
});
