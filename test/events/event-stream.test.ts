import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { EVENTS_ENV, placeCall, setUpCampaign, startCampaign, timeline, waitForEnd } from './fixture.ts';
import { SseClient } from './sse-client.ts';

let server: TestServer;
let tokenA: string;
let tokenB: string;

before(async () => {
  server = await startTestServer({ env: { ...EVENTS_ENV, PCONN_EVENTS_HEARTBEAT_MS: '200' } });
  const tenant = await server.request('POST', '/v1/tenants', { body: { id: 'other', name: 'Other' } });
  assert.equal(tenant.status, 201, tenant.text);
  const scopes = [
    'calls:read',
    'calls:write',
    'campaigns:write',
    'users:write',
    'caller-ids:write',
    'admin',
    'contacts:write',
  ];
  tokenA = await server.tokenWithScopes(scopes);
  tokenB = await server.tokenWithScopes(scopes, 'other');
  await setUpCampaign(server, 'alpha', { token: tokenA });
  await setUpCampaign(server, 'beta', { token: tokenB });
  await startCampaign(server, 'alpha', tokenA);
  await startCampaign(server, 'beta', tokenB);
});
after(() => server.close());

function stream(token: string, query = '', lastEventId?: string): SseClient {
  return new SseClient(`${server.url}/v1/events${query}`, {
    authorization: `Bearer ${token}`,
    ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
  });
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits for the next heartbeat comment on a stream. The server writes a connection's events and
 * heartbeats in order, so once a heartbeat sent after them has arrived, an event that was still
 * going to come (a duplicate, a foreign one) would have come: the way to show that nothing more
 * arrives without sleeping.
 */
async function nextHeartbeat(connection: { comments: string[] }): Promise<void> {
  const beats = () => connection.comments.filter((c) => c === 'heartbeat').length;
  const seen = beats();
  await until(() => beats() > seen, 5000, 'the next heartbeat');
}

describe('GET /v1/events (Server-Sent Events)', () => {
  test('a reconnect with Last-Event-ID gets every missed event once; other tenants never show', async () => {
    const first = stream(tokenA);
    const response = await first.open();
    assert.equal(first.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const callsA: string[] = [];
    const callsB: string[] = [];
    for (let i = 0; i < 3; i++) {
      callsA.push((await placeCall(server, 'alpha', '+12125550100', { token: tokenA })).id as string);
      callsB.push((await placeCall(server, 'beta', '+12125550100', { token: tokenB })).id as string);
    }
    await until(() => first.messages.length >= 3, 10_000, 'first events');
    await first.close();
    const last = first.messages.at(-1)?.id as string;
    assert.match(last, /^evt_[0-9]+$/);
    // While disconnected: more calls, and the first ones finish.
    for (let i = 0; i < 3; i++) {
      callsA.push((await placeCall(server, 'alpha', '+12125550101', { token: tokenA })).id as string);
      callsB.push((await placeCall(server, 'beta', '+12125550101', { token: tokenB })).id as string);
    }
    for (const id of callsA) await waitForEnd(server, id, tokenA);
    const second = stream(tokenA, '', last);
    await second.open();
    // Live events keep coming on the resumed stream after the replay.
    callsA.push((await placeCall(server, 'alpha', '+12125550103', { token: tokenA })).id as string);
    await waitForEnd(server, callsA.at(-1) as string, tokenA);
    for (const id of callsB) await waitForEnd(server, id, tokenB);

    const expected = new Set<string>();
    for (const id of callsA) for (const e of await timeline(server, id, tokenA)) expected.add(e.id);
    const received = () => [...first.events(), ...second.events()];
    await until(
      () => received().filter((e) => e.type.startsWith('call.')).length >= expected.size,
      10_000,
      `all ${expected.size} events`,
    );
    await nextHeartbeat(second);
    await second.close();
    const callEvents = received().filter((e) => e.type.startsWith('call.'));
    assert.deepEqual(
      callEvents.map((e) => e.id).sort(),
      [...expected].sort(),
      'every event of the tenant exactly once across the two connections',
    );
    const foreign = new Set<string>();
    for (const id of callsB) for (const e of await timeline(server, id, tokenB)) foreign.add(e.id);
    assert.ok(foreign.size > 0);
    assert.deepEqual(
      received().filter(
        (e) => foreign.has(e.id) || callsB.includes((e.data.call as { id?: string } | undefined)?.id ?? ''),
      ),
      [],
      "another tenant's events never appear",
    );
    // Per call, the stream is in sequence order, and the SSE fields match the body.
    for (const id of callsA) {
      const seqs = callEvents.filter((e) => (e.data.call as { id: string }).id === id).map((e) => e.sequence);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `call ${id} in order`,
      );
    }
    for (const m of [...first.messages, ...second.messages]) {
      const body = JSON.parse(m.data) as { id: string; type: string };
      assert.equal(m.id, body.id);
      assert.equal(m.event, body.type);
    }
    assert.ok(second.comments.includes('heartbeat'), 'heartbeat comments keep the stream open');
  });

  test('filters by call and campaign; ?after= resumes like Last-Event-ID; bad ids and scopes are refused', async () => {
    const call = await placeCall(server, 'alpha', '+12125550100', { token: tokenA });
    await waitForEnd(server, call.id as string, tokenA);
    const events = await timeline(server, call.id as string, tokenA);
    const byCall = stream(tokenA, `?callId=${call.id}&after=${events[0]?.id}`);
    await byCall.open();
    await until(() => byCall.messages.length >= events.length - 1, 10_000, 'replayed call events');
    await nextHeartbeat(byCall);
    await byCall.close();
    assert.deepEqual(
      byCall.events().map((e) => e.id),
      events.slice(1).map((e) => e.id),
    );
    const byCampaign = stream(tokenA, '?campaignId=nothing-here', events[0]?.id);
    await byCampaign.open();
    await nextHeartbeat(byCampaign);
    await byCampaign.close();
    assert.deepEqual(byCampaign.messages, []);

    const foreignEvent = (
      await timeline(
        server,
        (
          await placeCall(server, 'beta', '+12125550100', { token: tokenB })
        ).id as string,
        tokenB,
      )
    )[0]?.id as string;
    const res = await server.request('GET', '/v1/events', {
      token: tokenA,
      headers: { 'last-event-id': foreignEvent },
    });
    assert.equal(res.status, 400, "another tenant's event id is not a resume point");
    const bad = await server.request('GET', '/v1/events?after=nonsense', { token: tokenA });
    assert.equal(bad.status, 400);
    const noScope = await server.request('GET', '/v1/events', {
      token: await server.tokenWithScopes(['webhooks:read']),
    });
    assert.equal(noScope.status, 403);
  });
});
