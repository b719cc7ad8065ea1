import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PconnClient } from '../../src/sdk/index.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * GET /v1/agent-sessions (filters and cursor) and GET /v1/agent-sessions/{id} on both stores
 * (the campaign filter is jsonb in SQL), with the dialer off: sessions stay `starting` with their
 * agent `available`, and a test that needs another state puts the row there.
 */

type Json = Record<string, unknown>;
type Page = { data: Json[]; nextCursor: string | null };
after(() => stopTestPostgres());

for (const storeKind of ['pglite', 'postgres'] as const) {
  describe(`agent session list (${storeKind})`, () => {
    let server: TestServer;
    const ids: Record<string, string> = {};

    before(async () => {
      server = await startTestServer({ storeKind, env: { PCONN_DIALER: 'off' } });
      const put = async (path: string, body: unknown) => {
        const res = await server.request<Json>('PUT', path, { body });
        assert.ok(res.status < 300, `${path}: ${res.text}`);
        return res.body;
      };
      await put('/v1/caller-ids/+14155550100', { verified: true });
      for (const id of ['ann', 'bob', 'cat'])
        await put(`/v1/users/${id}`, { name: id, device: { type: 'sip', uri: `sip:${id}@127.0.0.1` } });
      const campaign = { callerId: '+14155550100', timezone: 'UTC' };
      await put('/v1/campaigns/north', { ...campaign, name: 'North', agentIds: ['ann', 'bob'] });
      await put('/v1/campaigns/south', { ...campaign, name: 'South', agentIds: ['bob', 'cat'] });
      ids.ann = (await put('/v1/users/ann/session', {})).id as string;
      ids.bob = (await put('/v1/users/bob/session', { campaignIds: ['south'] })).id as string;
      ids.cat = (await put('/v1/users/cat/session', {})).id as string;
      await sql`update agent_sessions set agent_state = 'paused', pause_reason = 'lunch' where id = ${ids.cat}`.execute(
        server.store.db,
      );
    });
    after(() => server.close());

    const list = (query: string) => server.request<Page & Json>('GET', `/v1/agent-sessions${query}`);
    const users = (page: Page) => page.data.map((s) => s.userId).sort();

    describe('GET /v1/agent-sessions', () => {
      test('lists every session with its state, oldest first', async () => {
        const res = await list('');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(
          res.body.data.map((s) => s.id),
          [ids.ann, ids.bob, ids.cat],
        );
        assert.deepEqual(
          res.body.data.map((s) => s.state),
          ['available', 'available', 'paused'],
        );
        assert.equal(res.body.nextCursor, null);
      });

      test('filters by state, user and campaign (the dialer’s routing: agentIds and the session’s campaignIds)', async () => {
        assert.deepEqual(users((await list('?state=paused')).body), ['cat']);
        assert.deepEqual(users((await list('?state=available')).body), ['ann', 'bob']);
        assert.deepEqual(users((await list('?userId=bob')).body), ['bob']);
        // bob's session takes only south; ann's every campaign listing her.
        assert.deepEqual(users((await list('?campaignId=north')).body), ['ann']);
        assert.deepEqual(users((await list('?campaignId=south')).body), ['bob', 'cat']);
        assert.deepEqual(users((await list('?campaignId=nowhere')).body), []);
      });

      test('an ended session is listed by status, never by state', async () => {
        const ended = await server.request('DELETE', '/v1/users/ann/session');
        assert.equal(ended.status, 200, ended.text);
        assert.deepEqual(users((await list('?status=ended')).body), ['ann']);
        assert.deepEqual(users((await list('?status=open')).body), ['bob', 'cat']);
        assert.deepEqual(users((await list('?state=available')).body), ['bob']);
        const again = await server.request<Json>('PUT', '/v1/users/ann/session', { body: {} });
        ids.ann2 = again.body.id as string;
      });

      test('pages with a cursor and refuses one it did not issue', async () => {
        const first = await list('?limit=2');
        assert.equal(first.body.data.length, 2);
        assert.ok(first.body.nextCursor, 'a first page of two out of four has a next cursor');
        const second = await list(`?limit=2&cursor=${first.body.nextCursor}`);
        assert.deepEqual(
          [...first.body.data, ...second.body.data].map((s) => s.id),
          [ids.ann, ids.bob, ids.cat, ids.ann2],
        );
        assert.equal(second.body.nextCursor, null);
        const bad = await list('?cursor=not-ours');
        assert.equal(bad.status, 400, bad.text);
        const badState = await list('?state=asleep');
        assert.equal(badState.status, 400, badState.text);
      });
    });

    describe('GET /v1/agent-sessions/{id}', () => {
      test('answers a session by id as the user’s session route does, and 404 for an unknown id', async () => {
        const byId = await server.request<Json>('GET', `/v1/agent-sessions/${ids.bob}`);
        assert.equal(byId.status, 200, byId.text);
        const byUser = await server.request<Json>('GET', '/v1/users/bob/session');
        assert.deepEqual(byId.body, byUser.body);
        const missing = await server.request<Json>('GET', '/v1/agent-sessions/ses_nope');
        assert.equal(missing.status, 404, missing.text);
        assert.equal(missing.body.code, 'not_found');
      });
    });

    describe('SDK: client.sessions.page, list, byId, pause and resume', () => {
      test('lists by filter, reads by id and pauses and resumes by session id', async () => {
        const client = new PconnClient({
          baseUrl: server.url,
          clientId: server.adminId,
          clientSecret: server.adminSecret,
        });
        const paused = await client.sessions.page({ state: 'paused' });
        assert.deepEqual(
          paused.data.map((s) => s.userId),
          ['cat'],
        );
        const all = [];
        for await (const session of client.sessions.list({ status: 'open' })) all.push(session.userId);
        assert.deepEqual(all.sort(), ['ann', 'bob', 'cat']);
        assert.equal((await client.sessions.byId(ids.bob as string)).userId, 'bob');
        assert.equal((await client.sessions.pause(ids.bob as string, 'coffee')).pauseReason, 'coffee');
        assert.equal((await client.sessions.resume(ids.bob as string)).state, 'available');
      });
    });
  });
}
