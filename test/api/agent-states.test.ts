import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * POST /v1/agent-sessions/{id}/pause|resume and POST /v1/calls/{id}/disposition over a real
 * socket, with the dialer off: a session stays `starting` with its agent `available`, and a test
 * that needs the agent on a call or in wrap-up puts the row there (the dialer side is
 * test/dialer/agent-states.test.ts). Every refusal is a problem naming the agent's state.
 */

type Json = Record<string, unknown>;
type Problem = Json & { code: string; status: number; errors?: Array<{ pointer: string; code: string }> };
let server: TestServer;
let sessionId: string;
let callId: string;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  const put = async (path: string, body: unknown) => {
    const res = await server.request('PUT', path, { body });
    assert.ok(res.status < 300, `${path}: ${res.text}`);
  };
  await put('/v1/caller-ids/+14155550100', { verified: true });
  await put('/v1/users/agent-a', { name: 'A', device: { type: 'sip', uri: 'sip:a@127.0.0.1' } });
  await put('/v1/users/agent-b', { name: 'B', device: { type: 'sip', uri: 'sip:b@127.0.0.1' } });
  await put('/v1/campaigns/spring', {
    name: 'Spring',
    callerId: '+14155550100',
    agentIds: ['agent-a', 'agent-b'],
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
  });
  await server.request('POST', '/v1/campaigns/spring/start');
  const started = await server.request<Json>('PUT', '/v1/users/agent-a/session', { body: {} });
  sessionId = started.body.id as string;
  const call = await server.request<Json>('POST', '/v1/campaigns/spring/calls', {
    body: {
      contact: {
        externalId: 'c-1',
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    },
  });
  assert.equal(call.status, 202, call.text);
  callId = call.body.id as string;
});
after(() => server.close());

const pause = (id: string, body: unknown) =>
  server.request<Problem>('POST', `/v1/agent-sessions/${id}/pause`, { body });
const resume = (id: string) => server.request<Problem>('POST', `/v1/agent-sessions/${id}/resume`);
const dispose = (id: string, body: unknown) =>
  server.request<Problem>('POST', `/v1/calls/${id}/disposition`, { body });

/** Puts the session's agent in `state` about the test call, as the dialer would. */
async function setState(state: string, extra: Record<string, unknown> = {}): Promise<void> {
  await sql`update agent_sessions set agent_state = ${state}, state_call_id = ${callId},
    pause_requested = ${(extra.pauseRequested as string | undefined) ?? null},
    wrap_up_until = ${state === 'wrap_up' ? new Date(Date.now() + 60_000) : null}
    where id = ${sessionId}`.execute(server.store.db);
}

async function lastStateEvent(): Promise<Json | undefined> {
  const rows = await sql<{ data: Json }>`select data from call_events
    where subject_type = 'user' and subject_id = 'agent-a' and type = 'agent.state_changed'
    order by sequence desc limit 1`.execute(server.store.db);
  return rows.rows[0]?.data;
}

describe('pause and resume', () => {
  test('a new session shows its agent available, with the state fields', async () => {
    const res = await server.request<Json>('GET', '/v1/users/agent-a/session');
    assert.equal(res.body.state, 'available');
    assert.equal(typeof res.body.stateSince, 'string');
    assert.equal(res.body.pauseReason, null);
    assert.equal(res.body.pauseRequested, null);
    assert.equal(res.body.wrapUpUntil, null);
    assert.equal((res.body.links as Json).agentSession, `/v1/agent-sessions/${sessionId}`);
  });

  test('bad bodies are 400 with every problem; unknown sessions 404', async () => {
    const empty = await pause(sessionId, { reason: '' });
    assert.equal(empty.status, 400, empty.text);
    assert.equal(empty.body.errors?.[0]?.pointer, '/reason');
    const long = await pause(sessionId, { reason: 'x'.repeat(65), extra: 1 });
    assert.equal(long.status, 400);
    assert.deepEqual(long.body.errors?.map((e) => e.code).sort(), ['too_long', 'unknown_field']);
    const missing = await pause(sessionId, {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errors?.[0]?.code, 'required');
    const unknown = await pause('ses_nope', { reason: 'lunch' });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.code, 'not_found');
    assert.equal((await resume('ses_nope')).status, 404);
  });

  test('available → paused (200, event with the reason), same reason again 200, another reason 409', async () => {
    const paused = await pause(sessionId, { reason: 'lunch' });
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.body.state, 'paused');
    assert.equal(paused.body.pauseReason, 'lunch');
    const event = await lastStateEvent();
    assert.equal(event?.sessionId, sessionId);
    assert.equal(event?.userId, 'agent-a');
    assert.equal(event?.from, 'available');
    assert.equal(event?.to, 'paused');
    assert.equal(event?.reason, 'lunch');
    assert.equal(typeof event?.durationMs, 'number');

    assert.equal((await pause(sessionId, { reason: 'lunch' })).status, 200, 'a retried pause is harmless');
    const other = await pause(sessionId, { reason: 'training' });
    assert.equal(other.status, 409, other.text);
    assert.equal(other.body.code, 'invalid_transition');
    assert.equal(other.body.agentState, 'paused');
  });

  test('resume: paused → available; resuming an available agent is 409 naming the state', async () => {
    const resumed = await resume(sessionId);
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.body.state, 'available');
    const event = await lastStateEvent();
    assert.equal(event?.from, 'paused');
    assert.equal(event?.reason, 'lunch', 'the event says which pause ended');
    const again = await resume(sessionId);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'invalid_transition');
    assert.equal(again.body.agentState, 'available');
    assert.match(String(again.body.detail), /available, not paused/);
  });

  test('a pause during a call is pending (202, pauseRequested); resume takes it back', async () => {
    await setState('on_call');
    const pending = await pause(sessionId, { reason: 'meeting' });
    assert.equal(pending.status, 202, pending.text);
    assert.equal(pending.body.state, 'on_call');
    assert.equal(pending.body.pauseRequested, 'meeting');
    const back = await resume(sessionId);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.pauseRequested, null);
    assert.equal(back.body.state, 'on_call');
  });

  test('pausing in wrap-up pauses at once and ends the wrap-up', async () => {
    await setState('wrap_up');
    const paused = await pause(sessionId, { reason: 'break' });
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.body.state, 'paused');
    assert.equal(paused.body.wrapUpUntil, null);
    assert.equal((await resume(sessionId)).status, 200);
  });

  test('scopes: users:write is needed', async () => {
    const token = await server.tokenWithScopes(['users:read', 'calls:read']);
    const res = await server.request<Problem>('POST', `/v1/agent-sessions/${sessionId}/pause`, {
      token,
      body: { reason: 'x' },
    });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'insufficient_scope');
    const disp = await server.request<Problem>('POST', `/v1/calls/${callId}/disposition`, {
      token,
      body: { code: 'x' },
    });
    assert.equal(disp.status, 403);
  });
});

describe('POST /v1/calls/{id}/disposition', () => {
  test('bad bodies are 400; unknown calls 404', async () => {
    const bad = await dispose(callId, { code: '', notes: 'x'.repeat(1001) });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.errors?.map((e) => e.pointer).sort(), ['/code', '/notes']);
    const unknown = await dispose('call_nope', { code: 'sale' });
    assert.equal(unknown.status, 404);
  });

  test('409 invalid_transition while the agent is not in wrap-up for the call', async () => {
    await setState('on_call');
    const res = await dispose(callId, { code: 'sale' });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.code, 'invalid_transition');
    assert.equal(res.body.agentState, 'on_call');
    assert.equal(res.body.sessionId, sessionId);
  });

  test('in wrap-up: stored on the call, agent available; the same code again 200, another 409', async () => {
    await setState('wrap_up');
    const res = await dispose(callId, { code: 'sale', notes: 'two seats' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, callId);
    const disposition = res.body.disposition as Json;
    assert.equal(disposition.code, 'sale');
    assert.equal(disposition.notes, 'two seats');
    assert.equal(disposition.userId, 'agent-a');
    const session = await server.request<Json>('GET', '/v1/users/agent-a/session');
    assert.equal(session.body.state, 'available');
    const event = await lastStateEvent();
    assert.equal(event?.from, 'wrap_up');
    assert.equal(event?.to, 'available');
    assert.equal(event?.callId, callId);
    assert.equal(event?.dispositionCode, 'sale');

    const again = await dispose(callId, { code: 'sale', notes: 'two seats' });
    assert.equal(again.status, 200, 'the same code is idempotent');
    assert.equal((again.body.disposition as Json).code, 'sale');
    const other = await dispose(callId, { code: 'no_sale' });
    assert.equal(other.status, 409);
    assert.equal(other.body.code, 'invalid_transition');
    assert.equal(other.body.dispositionCode, 'sale');
  });

  test('a call no session agent took has no wrap-up: 409', async () => {
    const call = await server.request<Json>('POST', '/v1/campaigns/spring/calls', {
      body: {
        contact: {
          externalId: 'c-2',
          timezone: 'UTC',
          phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
        },
      },
    });
    const res = await dispose(call.body.id as string, { code: 'sale' });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.agentState, 'none');
  });

  test('an ended session cannot be paused: 409 naming it ended', async () => {
    await server.request('DELETE', '/v1/users/agent-a/session');
    const res = await pause(sessionId, { reason: 'late' });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.from, 'ended');
  });
});

test('metrics: agents per state on scrape, seconds per state left', async () => {
  await server.request('PUT', '/v1/users/agent-b/session', { body: {} });
  const { body: b } = await server.request<Json>('GET', '/v1/users/agent-b/session');
  await sql`update agent_sessions set status = 'ready' where id = ${b.id as string}`.execute(server.store.db);
  await pause(b.id as string, { reason: 'coffee' });
  const res = await fetch(`${server.url}/metrics`);
  const text = await res.text();
  assert.match(text, /pconn_agents\{state="paused"\} 1/);
  assert.match(text, /pconn_agents\{state="available"\} 0/);
  assert.match(text, /pconn_agent_state_duration_seconds_count\{state="available"\} [1-9]/);
});
