import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { requestCampaignCall } from '../support/running-campaign.ts';
import { SteppedClock } from '../support/stepped-clock.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * Agent states across calls of a personal-connection session, on the sandbox driver with an
 * injected clock: available → reserved → on_call → wrap_up → available, by disposition and by
 * the wrap-up timeout (the clock is moved, nobody sleeps through it); calls go only to an
 * available agent; a pause asked for during a call takes effect when the wrap-up ends.
 */

type Json = Record<string, unknown>;

const WRAP_UP_SECONDS = 30;
const driver = new SandboxDriver({ timeScale: 0.01 });
const clock = new SteppedClock();
let server: TestServer;
let contacts = 0;

before(async () => {
  server = await startTestServer({
    env: {
      PCONN_DIALER_POLL_MS: '20',
      PCONN_WRAP_UP_SECONDS: String(WRAP_UP_SECONDS),
      PCONN_DIALER_AGENT_WAIT_MS: '100',
    },
    driver,
    clock,
  });
  const put = async (path: string, body: unknown) => {
    const res = await server.request('PUT', path, { body });
    assert.ok(res.status < 300, `${path}: ${res.text}`);
  };
  await put('/v1/caller-ids/+14155550100', { verified: true });
  for (const user of ['agent-a', 'agent-b', 'agent-c'])
    await put(`/v1/users/${user}`, { name: user, device: { type: 'sip', uri: `sip:${user}@127.0.0.1` } });
  for (const [id, agentIds] of [
    ['states', ['agent-a']],
    ['idle', ['agent-b', 'agent-c']],
  ] as const)
    await put(`/v1/campaigns/${id}`, {
      name: id,
      callerId: '+14155550100',
      agentIds,
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
      wrapUpSeconds: WRAP_UP_SECONDS,
    });
  await server.request('POST', '/v1/campaigns/states/start');
  await server.request('POST', '/v1/campaigns/idle/start');
});
after(() => server.close());

async function call(campaign: string, number: string): Promise<string> {
  contacts += 1;
  return requestCampaignCall(server, campaign, `c-${contacts}`, number);
}

async function sessionIn(user: string, state: string, what = `${user} ${state}`): Promise<Json> {
  const t0 = performance.now();
  try {
    return await waitFor2(user, state, what);
  } finally {
    if (process.env.DEBUG_STATES) console.log(`${what}: ${Math.round(performance.now() - t0)} ms`);
  }
}

async function waitFor2(user: string, state: string, what: string): Promise<Json> {
  return waitFor(
    async () => {
      const res = await server.request<Json>('GET', `/v1/users/${user}/session`);
      // Available counts once the leg is back on hold (status ready): routing needs both.
      const open = state === 'available' ? res.body.status === 'ready' : res.body.status !== 'ended';
      return open && res.body.state === state ? res.body : undefined;
    },
    { timeout: 15_000, interval: 20, what },
  );
}

/** The user's agent.state_changed events, oldest first, as `from>to(event)`. */
async function stateTrail(user: string): Promise<string[]> {
  const rows = await sql<{ data: Json }>`select data from call_events
    where subject_type = 'user' and subject_id = ${user} and type = 'agent.state_changed' order by sequence`.execute(
    server.store.db,
  );
  return rows.rows.map((r) => `${r.data.from}>${r.data.to}(${r.data.event})`);
}

test('available → reserved → on_call → wrap_up, no call in wrap-up, a disposition makes the agent available', async () => {
  const started = await server.request<Json>('PUT', '/v1/users/agent-a/session', { body: {} });
  assert.equal(started.status, 201, started.text);
  const sessionId = started.body.id as string;
  assert.equal(started.body.state, 'available');
  await sessionIn('agent-a', 'available');

  const first = await call('states', '+12125550100');
  await waitForCallStatus(server, first, ['completed', 'failed']);
  const wrapping = await sessionIn('agent-a', 'wrap_up');
  assert.equal(wrapping.stateCallId, first);
  const until = Date.parse(wrapping.wrapUpUntil as string);
  const since = Date.parse(wrapping.stateSince as string);
  assert.equal(until - since, WRAP_UP_SECONDS * 1000, `wrap-up lasts the setting: ${wrapping.wrapUpUntil}`);

  // In wrap-up the agent takes no call: the next one waits for them.
  const second = await call('states', '+12125550100');
  await waitFor(
    async () => {
      const events = await server.request<{ data: Array<{ type: string }> }>(
        'GET',
        `/v1/calls/${second}/events`,
      );
      return events.body.data.some((e) => e.type === 'call.waiting_for_agent');
    },
    { timeout: 10_000, what: 'the second call to wait for the agent' },
  );
  assert.equal((await server.request<Json>('GET', `/v1/calls/${second}`)).body.status, 'queued');

  const disposed = await server.request<Json>('POST', `/v1/calls/${first}/disposition`, {
    body: { code: 'sale', notes: 'renewed for a year' },
  });
  assert.equal(disposed.status, 200, disposed.text);
  const disposition = disposed.body.disposition as Json;
  assert.equal(disposition.code, 'sale');
  assert.equal(disposition.notes, 'renewed for a year');
  assert.equal(disposition.sessionId, sessionId);
  assert.equal(
    ((await server.request<Json>('GET', `/v1/calls/${first}`)).body.disposition as Json).code,
    'sale',
    'the disposition is shown in the Call object',
  );

  // Available again: the waiting call is dialled through the session.
  await waitForCallStatus(server, second, ['completed', 'failed']);
  assert.equal((await server.request<Json>('GET', `/v1/calls/${second}`)).body.outcome, 'answered');
  await sessionIn('agent-a', 'wrap_up');
  assert.deepEqual((await stateTrail('agent-a')).slice(0, 5), [
    'available>reserved(reserve)',
    'reserved>on_call(connect)',
    'on_call>wrap_up(hang_up)',
    'wrap_up>available(disposition)',
    'available>reserved(reserve)',
  ]);
});

test('the wrap-up times out on the clock and the agent is available again', async () => {
  const wrapping = await sessionIn('agent-a', 'wrap_up');
  clock.advance(WRAP_UP_SECONDS * 1000 + 1000);
  const available = await sessionIn('agent-a', 'available', 'the wrap-up to time out');
  assert.equal(available.wrapUpUntil, null);
  assert.ok(
    Date.parse(available.stateSince as string) >= Date.parse(wrapping.wrapUpUntil as string),
    'changed at the timeout',
  );
  const trail = await stateTrail('agent-a');
  assert.equal(trail.at(-1), 'wrap_up>available(wrap_timeout)');
  const events = await sql<{ data: Json }>`select data from call_events
    where subject_id = 'agent-a' and type = 'agent.state_changed' order by sequence desc limit 1`.execute(
    server.store.db,
  );
  const last = events.rows[0]?.data ?? {};
  assert.ok(
    Number(last.durationMs) >= WRAP_UP_SECONDS * 1000,
    `durationMs counts the wrap-up: ${last.durationMs}`,
  );
  assert.equal(last.userId, 'agent-a');
});

test('a pause during a call takes effect when its wrap-up ends; resume makes the agent available', async () => {
  const { body: session } = await server.request<Json>('GET', '/v1/users/agent-a/session');
  const id = session.id as string;
  const talking = await call('states', '+12125550106'); // answers and stays until hung up
  await waitForCallStatus(server, talking, ['connected']);
  await sessionIn('agent-a', 'on_call');

  const paused = await server.request<Json>('POST', `/v1/agent-sessions/${id}/pause`, {
    body: { reason: 'lunch' },
  });
  assert.equal(paused.status, 202, paused.text);
  assert.equal(paused.body.state, 'on_call');
  assert.equal(paused.body.pauseRequested, 'lunch');

  driver.remoteHangup(`${talking}/1/contact`);
  await waitForCallStatus(server, talking, ['completed']);
  await sessionIn('agent-a', 'wrap_up');
  const disposed = await server.request<Json>('POST', `/v1/calls/${talking}/disposition`, {
    body: { code: 'callback' },
  });
  assert.equal(disposed.status, 200, disposed.text);
  const pausedNow = await sessionIn('agent-a', 'paused');
  assert.equal(pausedNow.pauseReason, 'lunch');
  assert.equal(pausedNow.pauseRequested, null);

  // Paused: a new call waits.
  const waiting = await call('states', '+12125550100');
  await waitFor(
    async () => {
      const events = await server.request<{ data: Array<{ type: string }> }>(
        'GET',
        `/v1/calls/${waiting}/events`,
      );
      return events.body.data.some((e) => e.type === 'call.waiting_for_agent');
    },
    { timeout: 10_000, what: 'the call to wait while the agent is paused' },
  );
  const resumed = await server.request<Json>('POST', `/v1/agent-sessions/${id}/resume`);
  assert.equal(resumed.status, 200, resumed.text);
  assert.equal(resumed.body.state, 'available');
  await waitForCallStatus(server, waiting, ['completed', 'failed']);
  assert.ok(
    (await stateTrail('agent-a')).includes('wrap_up>paused(pause)'),
    'the pause applied from wrap-up',
  );
});

test('calls go to the longest-idle available agent, not the first in agentIds', async () => {
  // agent-c logs in first, agent-b later: agent-c has waited longest and takes the call although
  // agent-b comes first in agentIds.
  await server.request('PUT', '/v1/users/agent-c/session', { body: {} });
  await sessionIn('agent-c', 'available');
  clock.advance(1000);
  await server.request('PUT', '/v1/users/agent-b/session', { body: {} });
  await sessionIn('agent-b', 'available');
  const id = await call('idle', '+12125550100');
  await waitForCallStatus(server, id, ['completed', 'failed']);
  assert.equal((await server.request<Json>('GET', `/v1/calls/${id}`)).body.userId, 'agent-c');
});
