import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { SteppedClock } from '../support/stepped-clock.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * Preview mode end to end on the sandbox driver with an injected clock (issue 17): the dialer
 * offers a preview campaign's call to an available session agent instead of dialling it; accept
 * dials it with that agent (reserved → on_call → wrap_up); skip puts it back in the queue for
 * another agent, never the skipper; an offer nobody answers lapses on the clock and the call is
 * back in the queue.
 */

type Json = Record<string, unknown>;
type Offer = Json & { callId: string; status: string; sessionId: string; call: Json };

const OFFER_SECONDS = 30;
const driver = new SandboxDriver({ timeScale: 0.01 });
const clock = new SteppedClock();
let server: TestServer;
let contacts = 0;
const sessions = new Map<string, string>();

before(async () => {
  server = await startTestServer({
    env: {
      PCONN_DIALER_POLL_MS: '20',
      PCONN_PREVIEW_OFFER_SECONDS: String(OFFER_SECONDS),
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
  for (const user of ['pv-a', 'pv-b', 'pv-c'])
    await put(`/v1/users/${user}`, { name: user, device: { type: 'sip', uri: `sip:${user}@127.0.0.1` } });
  await put('/v1/campaigns/look', {
    name: 'look',
    callerId: '+14155550100',
    agentIds: ['pv-a', 'pv-b'],
    dialingMode: 'preview',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    wrapUpSeconds: 60,
  });
  await server.request('POST', '/v1/campaigns/look/start');
  await put('/v1/campaigns/now', {
    name: 'now',
    callerId: '+14155550100',
    agentIds: ['pv-c'],
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    wrapUpSeconds: 0,
  });
  await server.request('POST', '/v1/campaigns/now/start');
});
after(() => server.close());

async function call(number: string, campaign = 'look'): Promise<string> {
  contacts += 1;
  const res = await server.request<Json>('POST', `/v1/campaigns/${campaign}/calls`, {
    body: {
      contact: {
        externalId: `pv-${contacts}`,
        name: `Contact ${contacts}`,
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number }],
      },
    },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.id as string;
}

async function login(user: string): Promise<string> {
  const res = await server.request<Json>('PUT', `/v1/users/${user}/session`, { body: {} });
  assert.equal(res.status, 201, res.text);
  sessions.set(user, res.body.id as string);
  await sessionIn(user, 'available');
  return res.body.id as string;
}

async function sessionIn(user: string, state: string, what = `${user} ${state}`): Promise<Json> {
  return waitFor(
    async () => {
      const res = await server.request<Json>('GET', `/v1/users/${user}/session`);
      const open = state === 'available' ? res.body.status === 'ready' : res.body.status !== 'ended';
      return open && res.body.state === state ? res.body : undefined;
    },
    { timeout: 15_000, interval: 20, what },
  );
}

/** Waits until `user`'s session is offered `callId` (any call when omitted); answers the offer. */
async function offerFor(user: string, callId?: string): Promise<Offer> {
  return waitFor(
    async () => {
      const res = await server.request<Offer>('GET', `/v1/agent-sessions/${sessions.get(user)}/offer`);
      if (res.status !== 200) return undefined;
      return callId === undefined || res.body.callId === callId ? res.body : undefined;
    },
    { timeout: 15_000, interval: 20, what: `${user} offered ${callId ?? 'a call'}` },
  );
}

async function timeline(callId: string): Promise<Array<{ type: string; data: Json }>> {
  const res = await server.request<{ data: Array<{ type: string; data: Json }> }>(
    'GET',
    `/v1/calls/${callId}/events`,
  );
  return res.body.data;
}

test('a preview call is never dialled by the normal claim: without a session to offer it to, it waits', async () => {
  const preview = await call('+12125550100');
  // A progressive call due later is dialled: the dialer's claims ran past the preview call.
  const progressive = await call('+12125550100', 'now');
  await waitForCallStatus(server, progressive, ['completed', 'failed']);
  const waiting = await server.request<Json>('GET', `/v1/calls/${preview}`);
  assert.equal(waiting.body.status, 'queued', waiting.text);
  assert.deepEqual(waiting.body.attempts, [], 'never dialled');
  await server.request('POST', `/v1/calls/${preview}/cancel`);
});

test('a preview call is offered, not dialled; accept dials it with that agent; disposition ends the wrap-up', async () => {
  await login('pv-a');
  const id = await call('+12125550100');
  const offer = await offerFor('pv-a', id);
  assert.equal(offer.status, 'offered');
  assert.equal(offer.sessionId, sessions.get('pv-a'));
  assert.equal(offer.call.id, id, 'the offer carries the Call with the contact’s details');
  assert.equal(typeof offer.call.contactId, 'string');
  const reserved = await sessionIn('pv-a', 'reserved');
  assert.equal(reserved.stateCallId, id);
  const offered = (await timeline(id)).find((e) => e.type === 'call.offered');
  assert.ok(offered, 'call.offered is on the call timeline');
  assert.equal(offered.data.userId, 'pv-a');
  assert.equal((await server.request<Json>('GET', `/v1/calls/${id}`)).body.status, 'queued', 'not dialled');

  const accepted = await server.request<Offer>(
    'POST',
    `/v1/agent-sessions/${sessions.get('pv-a')}/offer/accept`,
  );
  assert.equal(accepted.status, 200, accepted.text);
  assert.equal(accepted.body.status, 'accepted');
  assert.equal(accepted.body.expiresAt, null);
  await waitForCallStatus(server, id, ['completed', 'failed']);
  const done = await server.request<Json>('GET', `/v1/calls/${id}`);
  assert.equal(done.body.outcome, 'answered', done.text);
  assert.equal(done.body.userId, 'pv-a');
  await sessionIn('pv-a', 'wrap_up');
  const types = (await timeline(id)).map((e) => e.type);
  assert.ok(types.indexOf('call.offer_accepted') > types.indexOf('call.offered'), types.join(' '));
  assert.ok(types.includes('call.connected'), types.join(' '));

  const disposed = await server.request<Json>('POST', `/v1/calls/${id}/disposition`, {
    body: { code: 'sale' },
  });
  assert.equal(disposed.status, 200, disposed.text);
  await sessionIn('pv-a', 'available');
  const none = await server.request<Json>('GET', `/v1/agent-sessions/${sessions.get('pv-a')}/offer`);
  assert.equal(none.status, 404, none.text);
  assert.equal(none.body.code, 'no_offer');
});

test('skip: the call goes to another agent, never back to the skipper; the timeline has the reason', async () => {
  await login('pv-b');
  const id = await call('+12125550100');
  const first = await waitFor(
    async () => {
      for (const user of ['pv-a', 'pv-b', 'pv-c']) {
        const res = await server.request<Offer>('GET', `/v1/agent-sessions/${sessions.get(user)}/offer`);
        if (res.status === 200 && res.body.callId === id) return user;
      }
      return undefined;
    },
    { timeout: 15_000, interval: 20, what: 'the call offered to someone' },
  );
  const other = first === 'pv-a' ? 'pv-b' : 'pv-a';
  const skipped = await server.request<Json>('POST', `/v1/agent-sessions/${sessions.get(first)}/offer/skip`, {
    body: { reason: 'knows them personally' },
  });
  assert.equal(skipped.status, 200, skipped.text);
  assert.equal(skipped.body.state, 'available');
  const offer = await offerFor(other, id);
  assert.equal(offer.callId, id);
  const skippedEvent = (await timeline(id)).find((e) => e.type === 'call.skipped');
  assert.equal(skippedEvent?.data.reason, 'knows them personally');
  assert.equal(skippedEvent?.data.userId, first);

  // The other agent skips too: nobody may take it now, so it stays queued and unoffered.
  const again = await server.request<Json>('POST', `/v1/agent-sessions/${sessions.get(other)}/offer/skip`, {
    body: { reason: 'busy' },
  });
  assert.equal(again.status, 200, again.text);
  await sessionIn(first, 'available');
  await sessionIn(other, 'available');
  const offers = (await timeline(id)).filter((e) => e.type === 'call.offered');
  assert.equal(offers.length, 2, 'offered once to each agent, not again to a skipper');
  assert.equal((await server.request<Json>('GET', `/v1/calls/${id}`)).body.status, 'queued');
});

test('an offer nobody answers lapses on the clock: the agent is available and the call back in the queue', async () => {
  // Both skip holds last 15 minutes; past them, the call is offered again.
  clock.advance(16 * 60_000);
  const offered = await waitFor(
    async () => {
      for (const user of ['pv-a', 'pv-b', 'pv-c']) {
        const res = await server.request<Offer>('GET', `/v1/agent-sessions/${sessions.get(user)}/offer`);
        if (res.status === 200) return { user, offer: res.body };
      }
      return undefined;
    },
    { timeout: 15_000, interval: 20, what: 'the skipped call offered again after the hold' },
  );
  const id = offered.offer.callId;
  clock.advance((OFFER_SECONDS + 1) * 1000);
  await waitFor(async () => (await timeline(id)).some((e) => e.type === 'call.offer_expired'), {
    timeout: 15_000,
    interval: 20,
    what: 'the offer to expire',
  });
  const expired = (await timeline(id)).find((e) => e.type === 'call.offer_expired');
  assert.equal(expired?.data.userId, offered.user);
  // Back in the queue: offered again (to whoever is available first), never dialled unasked.
  await waitFor(async () => (await timeline(id)).filter((e) => e.type === 'call.offered').length >= 4, {
    timeout: 15_000,
    interval: 20,
    what: 'the expired call offered again',
  });
  assert.equal((await server.request<Json>('GET', `/v1/calls/${id}`)).body.status, 'queued');
});

test('a call canceled while offered frees its agent at once, not at the offer’s deadline', async () => {
  await sql`update calls set status = 'canceled' where campaign_id = 'look' and status = 'queued'`.execute(
    server.store.db,
  );
  // The earlier test's call, offered now, ended under its offer: the sweep frees its agent too.
  for (const user of ['pv-a', 'pv-b']) await sessionIn(user, 'available');
  const id = await call('+12125550100');
  const holder = await waitFor(
    async () => {
      for (const user of ['pv-a', 'pv-b']) {
        const res = await server.request<Offer>('GET', `/v1/agent-sessions/${sessions.get(user)}/offer`);
        if (res.status === 200 && res.body.callId === id) return user;
      }
      return undefined;
    },
    { timeout: 15_000, interval: 20, what: 'the call offered' },
  );
  const canceled = await server.request<Json>('POST', `/v1/calls/${id}/cancel`);
  assert.ok(canceled.status < 300, canceled.text);
  const free = await sessionIn(holder, 'available', `${holder} freed by the cancel`);
  assert.equal(free.stateCallId, null);
  const types = (await timeline(id)).map((e) => e.type);
  assert.ok(
    !types.includes('call.offer_expired'),
    `the canceled call's timeline stays closed: ${types.join(' ')}`,
  );
});
