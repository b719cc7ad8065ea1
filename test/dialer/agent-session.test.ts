import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LegHandle, LegRequest } from '../../src/domain/telephony.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * Personal-connection sessions on the sandbox driver: the agent is dialled once per session,
 * each call goes straight to its contact, and the agent's leg is put on hold (never hung up)
 * between calls. The driver records every dial, hold and hang-up.
 */

type Json = Record<string, unknown>;

class RecordingSandbox extends SandboxDriver {
  readonly dials: LegRequest[] = [];
  readonly holds: string[] = [];
  readonly hangups: string[] = [];
  readonly bridges: Array<[string, string]> = [];
  constructor() {
    super({
      timeScale: 0.01,
      onDial: (leg) => this.dials.push(leg),
      onHold: (legId) => this.holds.push(legId),
    });
  }
  override async bridge(a: LegHandle, b: LegHandle): Promise<void> {
    this.bridges.push([a.legId, b.legId]);
    return super.bridge(a, b);
  }
  override async hangup(leg: LegHandle): Promise<void> {
    this.hangups.push(leg.legId);
    return super.hangup(leg);
  }
}

const driver = new RecordingSandbox();
let server: TestServer;
let contacts = 0;

before(async () => {
  // No wrap-up between contacts: this file is about the leg (agent states: agent-states.test.ts).
  server = await startTestServer({ env: { PCONN_DIALER_POLL_MS: '20', PCONN_WRAP_UP_SECONDS: '0' }, driver });
  const put = async (path: string, body: unknown) => {
    const res = await server.request('PUT', path, { body });
    assert.ok(res.status < 300, `${path}: ${res.text}`);
  };
  await put('/v1/caller-ids/+14155550100', { verified: true });
  for (const user of ['agent', 'agent-2', 'agent-3'])
    await put(`/v1/users/${user}`, { name: user, device: { type: 'sip', uri: `sip:${user}@127.0.0.1` } });
  for (const id of ['sales', 'service'])
    await put(`/v1/campaigns/${id}`, {
      name: id,
      callerId: '+14155550100',
      agentIds: ['agent', 'agent-2', 'agent-3'],
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
      // These tests are about the leg: back-to-back calls, no wrap-up between them.
      wrapUpSeconds: 0,
    });
  await server.request('POST', '/v1/campaigns/sales/start');
  await server.request('POST', '/v1/campaigns/service/start');
});
after(() => server.close());

async function call(campaign: string, number: string, userId: string): Promise<string> {
  contacts += 1;
  const res = await server.request<Json>('POST', `/v1/campaigns/${campaign}/calls`, {
    body: {
      userId,
      contact: {
        externalId: `c-${contacts}`,
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number }],
      },
    },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.id as string;
}

async function sessionOf(user: string, statuses: string[], timeoutMs = 10_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.request<Json>('GET', `/v1/users/${user}/session`);
    if (statuses.includes(res.body.status as string)) return res.body;
    if (Date.now() > deadline) throw new Error(`session of ${user} stuck: ${res.text}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const agentDialsOf = (prefix: string) => driver.dials.filter((d) => d.legId.startsWith(prefix));

test('one session carries three consecutive calls with a single agent dial', async () => {
  const started = await server.request<Json>('PUT', '/v1/users/agent/session', { body: {} });
  assert.equal(started.status, 201, started.text);
  const sessionId = started.body.id as string;
  const ready = await sessionOf('agent', ['ready']);
  assert.deepEqual(ready.agentLeg, { state: 'held', sipStatus: null });
  assert.ok(ready.readyAt);

  const ids: string[] = [];
  for (const number of ['+12125550100', '+12125550121', '+12125550100']) {
    ids.push(await call('sales', number, 'agent'));
    await waitForCallStatus(server, ids.at(-1) as string, ['completed', 'failed']);
  }
  for (const id of ids) {
    const done = await server.request<Json>('GET', `/v1/calls/${id}`);
    assert.equal(done.body.status, 'completed', done.text);
    assert.equal(done.body.outcome, 'answered');
    const timeline = await server.request<{ data: Array<{ type: string; data: Json }> }>(
      'GET',
      `/v1/calls/${id}/events`,
    );
    const types = timeline.body.data.map((e) => e.type);
    assert.deepEqual(types, ['call.queued', 'call.dialing_contact', 'call.connected', 'call.completed']);
    assert.equal(timeline.body.data[1]?.data.sessionId, sessionId);
  }

  const agentLegs = driver.dials.filter((d) => d.legId.endsWith('/agent'));
  assert.deepEqual(
    agentLegs.map((d) => d.legId),
    [`${sessionId}/agent`],
    'the agent was dialled once, by the session',
  );
  assert.equal(agentLegs[0]?.persistent, true);
  for (const id of ids) assert.equal(agentDialsOf(`${id}/`).length, 1, 'only the contact leg per call');
  assert.deepEqual(
    driver.bridges.filter(([a]) => a === `${sessionId}/agent`).map(([, b]) => b),
    ids.map((id) => `${id}/1/contact`),
  );
  assert.deepEqual(driver.holds, [`${sessionId}/agent`, `${sessionId}/agent`, `${sessionId}/agent`]);
  assert.ok(!driver.hangups.includes(`${sessionId}/agent`), 'the agent leg was never hung up');

  const after = await sessionOf('agent', ['ready']);
  assert.equal(after.callsHandled, 3);
  assert.equal(after.currentCallId, null);

  // DELETE hangs the leg up and the session ends.
  const ending = await server.request<Json>('DELETE', '/v1/users/agent/session');
  assert.equal(ending.status, 202, ending.text);
  assert.equal(ending.body.status, 'ending');
  const ended = await sessionOf('agent', ['ended']);
  assert.equal(ended.endReason, 'ended_by_request');
  assert.equal((ended.agentLeg as Json).state, 'ended');
  assert.ok(driver.hangups.includes(`${sessionId}/agent`));
});

test('DELETE during a call: the call completes, then the leg is hung up', async () => {
  await server.request('PUT', '/v1/users/agent-2/session', { body: { campaignIds: ['sales'] } });
  const { id: sessionId } = await sessionOf('agent-2', ['ready']);
  const id = await call('sales', '+12125550106', 'agent-2'); // stays connected
  await waitForCallStatus(server, id, ['connected']);
  const ending = await server.request<Json>('DELETE', '/v1/users/agent-2/session');
  assert.equal(ending.status, 202);
  assert.equal(ending.body.currentCallId, id);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!driver.hangups.includes(`${sessionId}/agent`), 'not hung up while the call runs');
  assert.equal((await sessionOf('agent-2', ['ending'])).currentCallId, id);
  driver.remoteHangup(`${id}/1/contact`);
  const done = await waitForCallStatus(server, id, ['completed', 'failed']);
  assert.equal(done.status, 'completed');
  const ended = await sessionOf('agent-2', ['ended']);
  assert.equal(ended.callsHandled, 1);
  assert.equal(ended.endReason, 'ended_by_request');
  assert.ok(driver.hangups.includes(`${sessionId}/agent`));
  assert.ok(!driver.holds.includes(`${sessionId}/agent`), 'an ending session is not put on hold');
});

test('the session takes only its campaigns; others wait for the agent until it ends', async () => {
  await server.request('PUT', '/v1/users/agent-3/session', { body: { campaignIds: ['sales'] } });
  const { id: sessionId } = await sessionOf('agent-3', ['ready']);
  const other = await call('service', '+12125550100', 'agent-3');
  // The dialer has looked at the call and put it off (its next attempt moved past its creation):
  // the agent is busy with the session, and what it did instead of dialling is checked below.
  await waitFor(
    () =>
      server.pconn.store.db
        .selectFrom('calls')
        .select('id')
        .where('id', '=', other)
        .whereRef('next_attempt_at', '>', 'created_at')
        .executeTakeFirst(),
    { timeout: 10_000, what: 'the dialer to put the service call off' },
  );
  const waiting = await server.request<Json>('GET', `/v1/calls/${other}`);
  assert.equal(waiting.body.status, 'queued', 'a service call is not put through the sales session');
  assert.equal(agentDialsOf(`${other}/`).length, 0, 'nor is the busy agent rung separately');

  await server.request('DELETE', '/v1/users/agent-3/session');
  await sessionOf('agent-3', ['ended']);
  const done = await waitForCallStatus(server, other, ['completed', 'failed']);
  assert.equal(done.status, 'completed');
  assert.deepEqual(
    agentDialsOf(`${other}/`).map((d) => d.legId),
    [`${other}/1/agent`, `${other}/1/contact`],
    'after the session the agent is rung per call again',
  );
  assert.equal(driver.holds.filter((h) => h.startsWith(sessionId as string)).length, 0);
});

test('the agent hangs up mid-call: the call completes as an agent hang-up and the session ends', async () => {
  await server.request('PUT', '/v1/users/agent/session', { body: {} });
  const { id: sessionId } = await sessionOf('agent', ['ready']);
  const id = await call('sales', '+12125550106', 'agent'); // stays connected
  await waitForCallStatus(server, id, ['connected']);
  const busy = await sessionOf('agent', ['on_call']);
  assert.equal(busy.currentCallId, id);
  assert.equal((busy.agentLeg as Json).state, 'bridged');
  driver.remoteHangup(`${sessionId}/agent`);
  const done = await waitForCallStatus(server, id, ['completed', 'failed']);
  assert.equal(done.status, 'completed');
  const attempts = done.attempts as Json[];
  assert.equal(attempts[0]?.sipReason, 'agent hung up');
  assert.ok(driver.hangups.includes(`${id}/1/contact`), 'the contact got a BYE');
  const ended = await sessionOf('agent', ['ended']);
  assert.equal(ended.endReason, 'agent_hung_up');
  assert.equal(ended.callsHandled, 1);
  assert.equal(ended.currentCallId, null);
});

test('disabling the user ends their session (user_unavailable) and hangs up the agent leg', async () => {
  await server.request('PUT', '/v1/users/leaver', {
    body: { name: 'Leaver', device: { type: 'sip', uri: 'sip:leaver@127.0.0.1' } },
  });
  const started = await server.request<Json>('PUT', '/v1/users/leaver/session', { body: {} });
  assert.equal(started.status, 201, started.text);
  const sessionId = started.body.id as string;
  await sessionOf('leaver', ['ready']);
  const disabled = await server.request('PATCH', '/v1/users/leaver', { body: { status: 'disabled' } });
  assert.equal(disabled.status, 200, disabled.text);
  const ended = await sessionOf('leaver', ['ended'], 5000);
  assert.equal(ended.endReason, 'user_unavailable');
  assert.ok(driver.hangups.includes(`${sessionId}/agent`), 'the agent leg was hung up');
});

test('a session whose node stopped renewing its lease is ended (node_lost)', async () => {
  await server.request('PUT', '/v1/users/lost', {
    body: { name: 'Lost', device: { type: 'sip', uri: 'sip:lost@127.0.0.1' } },
  });
  await server.store.db
    .insertInto('agent_sessions')
    .values({
      tenant_id: 'default',
      id: 'ses_lost',
      user_id: 'lost',
      campaign_ids: null,
      status: 'ready',
      leg_state: 'held',
      lease_owner: 'dialer-gone',
      leased_until: new Date(Date.now() - 1000),
      current_call_id: null,
      end_reason: null,
      end_detail: null,
      sip_status: null,
      ready_at: new Date(),
      ended_at: null,
    })
    .execute();
  const ended = await sessionOf('lost', ['ended'], 5000);
  assert.equal(ended.endReason, 'node_lost');
});
