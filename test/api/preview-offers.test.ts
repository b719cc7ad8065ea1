import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { offerPreviewCall } from '../../src/service/agent-sessions/preview-offer.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * GET /v1/agent-sessions/{id}/offer, POST …/offer/accept and …/offer/skip over a real socket,
 * with the dialer off: the test makes the sessions `ready` and offers calls through the same
 * offerPreviewCall the dialer calls (its side is test/dialer/preview-offers.test.ts). Every
 * refusal is a problem naming the agent's state; console agents act on their own session and
 * calls only.
 */

type Json = Record<string, unknown>;
type Problem = Json & { code: string; status: number; errors?: Array<{ pointer: string; code: string }> };
const CONSOLE = { 'x-pconn-console': '1' };
const PASSWORD = 'agent-password-123';

let server: TestServer;
const sessions = new Map<string, string>();
const tokens = new Map<string, string>();
let contacts = 0;

before(async () => {
  server = await startTestServer({
    env: { PCONN_DIALER: 'off', PCONN_RATE_LIMIT_RPS: '100000', PCONN_RATE_LIMIT_BURST: '100000' },
  });
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await server.request(method, path, { body });
    assert.ok(res.status < 300, `${method} ${path}: ${res.text}`);
    return res;
  };
  await ok('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  for (const user of ['of-a', 'of-b']) {
    await ok('PUT', `/v1/users/${user}`, {
      name: user,
      role: 'agent',
      device: { type: 'sip', uri: `sip:${user}@127.0.0.1` },
    });
    await ok('POST', `/v1/users/${user}/password`, { password: PASSWORD });
    const signed = await server.request<Json>('POST', '/console/session', {
      token: null,
      body: { user, password: PASSWORD },
      headers: CONSOLE,
    });
    assert.equal(signed.status, 201, signed.text);
    tokens.set(user, signed.body.accessToken as string);
    const started = await server.request<Json>('PUT', `/v1/users/${user}/session`, { body: {} });
    sessions.set(user, started.body.id as string);
    await sql`update agent_sessions set status = 'ready', leg_state = 'held', lease_owner = 'test-node'
      where id = ${started.body.id as string}`.execute(server.store.db);
  }
  await ok('PUT', '/v1/campaigns/peek', {
    name: 'peek',
    callerId: '+14155550100',
    agentIds: ['of-a', 'of-b'],
    dialingMode: 'preview',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
  });
  await ok('POST', '/v1/campaigns/peek/start');
});
after(() => server.close());

async function newCall(): Promise<string> {
  contacts += 1;
  const res = await server.request<Json>('POST', '/v1/campaigns/peek/calls', {
    body: {
      contact: {
        externalId: `of-${contacts}`,
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.id as string;
}

/** Offers the next preview call to `user`'s session, as the dialer would; answers its call id. */
async function offerTo(user: string, seconds = 30): Promise<string> {
  const offered = await offerPreviewCall(server.store.db, {
    tenantId: 'default',
    sessionId: sessions.get(user) as string,
    now: new Date(),
    offerSeconds: seconds,
  });
  assert.ok(offered, `an offer for ${user}`);
  return offered.callId;
}

const path = (user: string, rest = '') => `/v1/agent-sessions/${sessions.get(user)}/offer${rest}`;
const get = (user: string, token?: string) =>
  server.request<Problem>('GET', path(user), token ? { token } : {});
const accept = (user: string, token?: string) =>
  server.request<Problem>('POST', path(user, '/accept'), token ? { token } : {});
const skip = (user: string, body: unknown, token?: string) =>
  server.request<Problem>('POST', path(user, '/skip'), { body, ...(token ? { token } : {}) });

async function callEvents(callId: string): Promise<Array<{ type: string; data: Json }>> {
  const res = await server.request<{ data: Array<{ type: string; data: Json }> }>(
    'GET',
    `/v1/calls/${callId}/events`,
  );
  return res.body.data;
}

async function resetAgent(user: string): Promise<void> {
  await sql`update agent_sessions set agent_state = 'available', state_call_id = null, offered_call_id = null,
    offer_expires_at = null, current_call_id = null where id = ${sessions.get(user) as string}`.execute(
    server.store.db,
  );
}

describe('the offer routes', () => {
  test('no offer: GET is 404 no_offer naming the state; accept and skip are 409 naming it', async () => {
    const none = await get('of-a');
    assert.equal(none.status, 404, none.text);
    assert.equal(none.body.code, 'no_offer');
    assert.equal(none.body.agentState, 'available');
    for (const res of [await accept('of-a'), await skip('of-a', { reason: 'not now' })]) {
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.code, 'invalid_transition');
      assert.equal(res.body.agentState, 'available');
      assert.match(String(res.body.detail), /available with no call offered/);
    }
  });

  test('unknown sessions are 404 not_found; bad skip bodies 400 with every problem', async () => {
    for (const res of [
      await server.request<Problem>('GET', '/v1/agent-sessions/ses_nope/offer'),
      await server.request<Problem>('POST', '/v1/agent-sessions/ses_nope/offer/accept'),
      await server.request<Problem>('POST', '/v1/agent-sessions/ses_nope/offer/skip', {
        body: { reason: 'x' },
      }),
    ]) {
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.code, 'not_found');
    }
    const empty = await skip('of-a', { reason: '' });
    assert.equal(empty.status, 400, empty.text);
    assert.equal(empty.body.errors?.[0]?.pointer, '/reason');
    const long = await skip('of-a', { reason: 'x'.repeat(65), extra: 1 });
    assert.equal(long.status, 400);
    assert.deepEqual(long.body.errors?.map((e) => e.code).sort(), ['too_long', 'unknown_field']);
    assert.equal((await skip('of-a', {})).body.errors?.[0]?.code, 'required');
  });

  test('an open offer: GET shows the call; accept answers it accepted (again: the same), the call due now', async () => {
    const callId = await newCall();
    assert.equal(await offerTo('of-a'), callId);
    const open = await get('of-a');
    assert.equal(open.status, 200, open.text);
    assert.equal(open.body.status, 'offered');
    assert.equal(open.body.callId, callId);
    assert.equal(open.body.userId, 'of-a');
    assert.equal((open.body.call as Json).id, callId);
    assert.equal((open.body.call as Json).to, '+12125550100', 'the contact’s details come with the offer');
    assert.ok(Date.parse(String(open.body.expiresAt)) > Date.now(), `expires later: ${open.body.expiresAt}`);

    const accepted = await accept('of-a');
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.body.status, 'accepted');
    assert.equal(accepted.body.expiresAt, null);
    const again = await accept('of-a');
    assert.equal(again.status, 200, 'a retried accept is answered as it is');
    assert.equal((await get('of-a')).body.status, 'accepted');
    const row = await sql<{
      next_attempt_at: Date;
    }>`select next_attempt_at from calls where id = ${callId}`.execute(server.store.db);
    assert.ok(new Date(row.rows[0]?.next_attempt_at as Date).getTime() <= Date.now(), 'the call is due now');
    assert.ok(
      (await callEvents(callId)).some((e) => e.type === 'call.offer_accepted'),
      'call.offer_accepted',
    );

    const late = await skip('of-a', { reason: 'changed my mind' });
    assert.equal(late.status, 409, late.text);
    assert.equal(late.body.agentState, 'reserved');
    assert.equal(late.body.offer, 'accepted');
    await sql`update calls set status = 'canceled' where id = ${callId}`.execute(server.store.db);
    await resetAgent('of-a');
  });

  test('skip: the agent is available, the call due again with call.skipped and a skip row for that session', async () => {
    const callId = await newCall();
    assert.equal(await offerTo('of-a'), callId);
    const skipped = await skip('of-a', { reason: 'wrong region' });
    assert.equal(skipped.status, 200, skipped.text);
    assert.equal(skipped.body.state, 'available');
    const event = (await callEvents(callId)).find((e) => e.type === 'call.skipped');
    assert.equal(event?.data.reason, 'wrong region');
    assert.equal(event?.data.sessionId, sessions.get('of-a'));
    const holds = await sql<{
      session_id: string;
    }>`select session_id from call_offer_skips where call_id = ${callId}`.execute(server.store.db);
    assert.deepEqual(
      holds.rows.map((r) => r.session_id),
      [sessions.get('of-a')],
    );
    // Not offered to the skipper again; offered to the other agent.
    const back = await offerPreviewCall(server.store.db, {
      tenantId: 'default',
      sessionId: sessions.get('of-a') as string,
      now: new Date(),
      offerSeconds: 30,
    });
    assert.equal(back, undefined, 'the skipper is not offered the call again');
    assert.equal(await offerTo('of-b'), callId);
    await sql`update calls set status = 'canceled' where id = ${callId}`.execute(server.store.db);
    await resetAgent('of-b');
  });

  test('an expired offer is no offer: GET 404, accept 409 saying it expired', async () => {
    const callId = await newCall();
    assert.equal(await offerTo('of-a'), callId);
    await sql`update agent_sessions set offer_expires_at = ${new Date(Date.now() - 1000)}
      where id = ${sessions.get('of-a') as string}`.execute(server.store.db);
    const none = await get('of-a');
    assert.equal(none.status, 404, none.text);
    assert.equal(none.body.code, 'no_offer');
    const late = await accept('of-a');
    assert.equal(late.status, 409, late.text);
    assert.equal(late.body.code, 'invalid_transition');
    assert.equal(late.body.offer, 'expired');
    assert.match(String(late.body.detail), /expired/);
    await sql`update calls set status = 'canceled' where id = ${callId}`.execute(server.store.db);
    await resetAgent('of-a');
  });
});

describe('console agents act on their own session only', () => {
  test('an agent pauses, resumes, reads, accepts and skips on their own session', async () => {
    const token = tokens.get('of-a') as string;
    const own = sessions.get('of-a');
    const paused = await server.request<Problem>('POST', `/v1/agent-sessions/${own}/pause`, {
      token,
      body: { reason: 'coffee' },
    });
    assert.equal(paused.status, 200, paused.text);
    const resumed = await server.request<Problem>('POST', `/v1/agent-sessions/${own}/resume`, { token });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal((await get('of-a', token)).status, 404, 'no offer, but allowed');
    const callId = await newCall();
    assert.equal(await offerTo('of-a'), callId);
    assert.equal((await get('of-a', token)).status, 200);
    const skipped = await skip('of-a', { reason: 'mine to skip' }, token);
    assert.equal(skipped.status, 200, skipped.text);
    await sql`update calls set status = 'canceled' where id = ${callId}`.execute(server.store.db);
  });

  test('another agent’s session is 403 insufficient_scope for every route, and nothing changes', async () => {
    const token = tokens.get('of-a') as string;
    const other = sessions.get('of-b');
    const attempts = [
      await server.request<Problem>('POST', `/v1/agent-sessions/${other}/pause`, {
        token,
        body: { reason: 'x' },
      }),
      await server.request<Problem>('POST', `/v1/agent-sessions/${other}/resume`, { token }),
      await get('of-b', token),
      await accept('of-b', token),
      await skip('of-b', { reason: 'x' }, token),
    ];
    for (const res of attempts) {
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 'insufficient_scope');
      assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    }
    const session = await server.request<Json>('GET', '/v1/users/of-b/session');
    assert.equal(session.body.state, 'available', 'the other agent was not paused');
  });

  test('dispositions: an agent’s own call in wrap-up yes, another agent’s no (403)', async () => {
    const mine = await newCall();
    const theirs = await newCall();
    for (const [user, callId] of [
      ['of-a', mine],
      ['of-b', theirs],
    ] as const) {
      await sql`update calls set status = 'completed', user_id = ${user} where id = ${callId}`.execute(
        server.store.db,
      );
      await sql`update agent_sessions set agent_state = 'wrap_up', state_call_id = ${callId},
        wrap_up_until = ${new Date(Date.now() + 60_000)} where id = ${sessions.get(user) as string}`.execute(
        server.store.db,
      );
    }
    const token = tokens.get('of-a') as string;
    const refused = await server.request<Problem>('POST', `/v1/calls/${theirs}/disposition`, {
      token,
      body: { code: 'sale' },
    });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 'insufficient_scope');
    const done = await server.request<Problem>('POST', `/v1/calls/${mine}/disposition`, {
      token,
      body: { code: 'sale' },
    });
    assert.equal(done.status, 200, done.text);
    assert.equal((await server.request<Json>('GET', '/v1/users/of-b/session')).body.state, 'wrap_up');
  });

  test('another tenant’s session is 404, even with every scope', async () => {
    await server.request('POST', '/v1/tenants', { body: { id: 'of-other', name: 'Other' } });
    const token = await server.tokenWithScopes(['users:read', 'users:write', 'calls:write'], 'of-other');
    for (const res of [
      await get('of-a', token),
      await accept('of-a', token),
      await skip('of-a', { reason: 'x' }, token),
    ]) {
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.code, 'not_found');
    }
  });
});
