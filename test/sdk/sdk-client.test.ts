import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  PconnApiError,
  PconnClient,
  type PconnEvent,
  TERMINAL_CALL_STATUSES,
  TokenSource,
} from '../../src/sdk/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let client: PconnClient;

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  client = new PconnClient({
    baseUrl: server.url,
    clientId: server.adminId,
    clientSecret: server.adminSecret,
  });
});
after(() => server.close());

describe('SDK against a live server', () => {
  test('fetches a token, creates resources by PUT and reads them back typed', async () => {
    const { resource, created } = await client.campaigns.put('sdk-camp', { name: 'SDK campaign' });
    assert.equal(created, true);
    assert.equal(resource.status, 'draft');
    assert.equal((await client.campaigns.put('sdk-camp', { name: 'SDK campaign' })).created, false);
    const started = await client.campaigns.start('sdk-camp');
    assert.equal(started.status, 'running');
  });

  test('problems become PconnApiError with code, pointers, hints and request id', async () => {
    const error = await client.campaigns.put('bad', { name: 'x', callerId: '4155550100' }).catch((e) => e);
    assert.ok(error instanceof PconnApiError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_request');
    assert.match(error.requestId ?? '', /.+/);
    const field = error.errors.find((e) => e.pointer === '/callerId');
    assert.ok(field, JSON.stringify(error.problem));
    assert.equal(field.code, 'invalid_phone_number');
    assert.match(field.hint ?? '', /\+14155550100/);
    const transition = await client.campaigns.resume('sdk-camp').catch((e) => e);
    assert.ok(transition instanceof PconnApiError);
    assert.equal(transition.code, 'invalid_transition');
  });

  test('lists iterate across cursor pages', async () => {
    for (let i = 0; i < 5; i++)
      await client.users.put(`pg-user-${i}`, { name: `U${i}`, device: { type: 'registered' } });
    const ids: string[] = [];
    for await (const user of client.paginate<{ id: string }>('/v1/users', {}, 2)) ids.push(user.id);
    assert.deepEqual(
      ids.filter((id) => id.startsWith('pg-user-')).sort(),
      [0, 1, 2, 3, 4].map((i) => `pg-user-${i}`),
    );
  });

  test('a campaign call runs to completion in the sandbox', async () => {
    await client.users.put('sdk-agent', {
      name: 'Agent',
      device: { type: 'sip', uri: 'sip:agent@sandbox.invalid' },
    });
    await client.callerIds.put('+12125550100', { verified: true });
    await client.campaigns.put('sdk-calls', {
      name: 'Calls',
      callerId: '+12125550100',
      agentIds: ['sdk-agent'],
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
    });
    await client.campaigns.start('sdk-calls');
    const call = await client.calls.createForCampaign('sdk-calls', {
      contact: { externalId: 'sdk-c1', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
    });
    assert.equal(call.status, 'queued');
    const seen: string[] = [];
    const done = await client.calls.waitUntilTerminal(call.id, {
      intervalMs: 20,
      onChange: (c) => seen.push(c.status),
    });
    assert.ok(TERMINAL_CALL_STATUSES.has(done.status));
    assert.equal(done.status, 'completed');
    const timeline = await client.calls.timeline(call.id);
    assert.equal(timeline.at(-1)?.type, 'call.completed');
  });

  test('the event stream (SSE) yields the events of a call live, and resumes after Last-Event-ID', async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20_000);
    const seen: PconnEvent[] = [];
    const live = (async () => {
      for await (const event of client.events({
        campaignId: 'sdk-calls',
        types: ['call.*'],
        signal: abort.signal,
      })) {
        seen.push(event);
        if (event.type === 'call.completed') break;
      }
    })();
    // The stream is open once the server has sent its headers; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const call = await client.calls.createForCampaign('sdk-calls', {
      contact: { externalId: 'sdk-c2', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
    });
    await live;
    const mine = seen.filter((e) => (e.data as { call?: { id?: string } }).call?.id === call.id);
    assert.deepEqual(
      mine.map((e) => e.type),
      ['call.queued', 'call.dialing_user', 'call.dialing_contact', 'call.connected', 'call.completed'],
    );
    assert.deepEqual(
      mine.map((e) => e.sequence),
      [1, 2, 3, 4, 5],
    );
    const resumed: string[] = [];
    for await (const event of client.events({
      callId: call.id,
      lastEventId: mine[1]?.id,
      signal: abort.signal,
    })) {
      resumed.push(event.type);
      if (event.type === 'call.completed') break;
    }
    clearTimeout(timer);
    assert.deepEqual(resumed, ['call.dialing_contact', 'call.connected', 'call.completed']);
  });

  test('a 429 is retried after its Retry-After and then succeeds', async () => {
    const limited = await startTestServer({
      env: { PCONN_RATE_LIMIT_RPS: '1', PCONN_RATE_LIMIT_BURST: '1' },
    });
    try {
      const sdk = new PconnClient({
        baseUrl: limited.url,
        clientId: limited.adminId,
        clientSecret: limited.adminSecret,
      });
      await sdk.campaigns.page();
      const started = Date.now();
      const page = await sdk.campaigns.page();
      assert.ok(Array.isArray(page.data));
      assert.ok(Date.now() - started >= 500, 'the retry waited for Retry-After');
      const noRetry = new PconnClient({
        baseUrl: limited.url,
        clientId: limited.adminId,
        clientSecret: limited.adminSecret,
        maxRetries: 0,
      });
      await noRetry.campaigns.page().catch(() => undefined);
      const error = await noRetry.campaigns.page().catch((e) => e);
      assert.ok(error instanceof PconnApiError);
      assert.equal(error.code, 'rate_limited');
    } finally {
      await limited.close();
    }
  });
});

describe('SDK transport (a scripted HTTP peer)', () => {
  test('POST carries one Idempotency-Key reused on 503 retries; 500 is not retried; tokens refresh at 90% of their life', async () => {
    const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
    let callAnswers = [503, 503, 202];
    let tokens = 0;
    const peer = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      if (req.url === '/oauth/token') {
        tokens++;
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ access_token: `tok${tokens}`, token_type: 'Bearer', expires_in: 60, scope: '' }),
        );
      }
      if (req.url === '/v1/calls') {
        const status = callAnswers.shift() ?? 500;
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
        return res.end(
          status === 202 ? '{"id":"call_1"}' : '{"title":"x","code":"unavailable","status":503,"detail":"d"}',
        );
      }
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end(
        '{"type":"about:blank","title":"Internal error","status":500,"code":"internal","detail":"boom","requestId":"r1"}',
      );
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
      const sdk = new PconnClient({ baseUrl, clientId: 'a', clientSecret: 'b' });
      const call = await sdk.calls.createDirect({ userId: 'u', to: '+12125550100' });
      assert.equal(call.id, 'call_1');
      const posts = seen.filter((s) => s.url === '/v1/calls');
      assert.equal(posts.length, 3);
      const keys = new Set(posts.map((p) => p.headers['idempotency-key']));
      assert.equal(keys.size, 1);
      assert.match(String([...keys][0]), /^[0-9a-f-]{36}$/);
      callAnswers = [500];
      const error = await sdk.calls.createDirect({ userId: 'u', to: '+12125550100' }).catch((e) => e);
      assert.ok(error instanceof PconnApiError);
      assert.equal(seen.filter((s) => s.url === '/v1/calls').length, 4, '500 is not retried');
      const second = await sdk.calls.get('x').catch((e) => e);
      assert.equal(second.code, 'internal');
      assert.equal(second.requestId, 'r1');
      assert.equal(seen.filter((s) => s.url === '/v1/calls/x').length, 1);
      assert.equal(seen.filter((s) => s.method === 'GET')[0]?.headers['idempotency-key'], undefined);
      // Token refresh: a 60 s token is reused until 90% of its life, then fetched again.
      let clock = 1_000_000;
      const source = new TokenSource({ baseUrl, clientId: 'a', clientSecret: 'b', fetch, now: () => clock });
      const first = await source.get();
      clock += 50_000;
      assert.equal(await source.get(), first);
      clock += 5_000;
      assert.notEqual(await source.get(), first);
      const tokenRequest = seen.find((s) => s.url === '/oauth/token');
      assert.equal(tokenRequest?.headers.authorization, `Basic ${Buffer.from('a:b').toString('base64')}`);
    } finally {
      peer.close();
    }
  });
});
