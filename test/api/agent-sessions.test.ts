import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * PUT/GET/DELETE /v1/users/{id}/session over a real socket, with the dialer off: sessions stay
 * `starting` (no node takes them), which is exactly what the routes' own rules need. The
 * dialer side (legs, holds, consecutive calls) is test/dialer/agent-session.test.ts.
 */

type Json = Record<string, unknown>;
type Problem = Json & {
  code: string;
  status: number;
  pointer?: string;
  errors?: Array<{ pointer: string; code: string; detail: string; hint?: string }>;
};
let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  const put = async (path: string, body: unknown) => {
    const res = await server.request('PUT', path, { body });
    assert.ok(res.status < 300, `${path}: ${res.text}`);
  };
  await put('/v1/users/agent-a', { name: 'A', device: { type: 'sip', uri: 'sip:a@127.0.0.1' } });
  await put('/v1/users/agent-b', { name: 'B', device: { type: 'sip', uri: 'sip:b@127.0.0.1' } });
  await put('/v1/users/agent-off', {
    name: 'Off',
    status: 'disabled',
    device: { type: 'sip', uri: 'sip:off@127.0.0.1' },
  });
  await put('/v1/campaigns/spring', { name: 'Spring', agentIds: ['agent-a', 'agent-b'] });
  await put('/v1/campaigns/autumn', { name: 'Autumn', agentIds: ['agent-a'] });
  await put('/v1/campaigns/open', { name: 'Open to anyone' });
});
after(() => server.close());

const session = (user: string) => `/v1/users/${user}/session`;

describe('PUT /v1/users/{id}/session', () => {
  test('starts a session: 201, Location, status starting with the leg pending, then idempotent 200', async () => {
    const created = await server.request<Json>('PUT', session('agent-a'), { body: {} });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), '/v1/users/agent-a/session');
    assert.match(created.body.id as string, /^ses_/);
    assert.equal(created.body.status, 'starting');
    assert.equal(created.body.campaignIds, null);
    assert.deepEqual(created.body.agentLeg, { state: 'pending', sipStatus: null });
    assert.equal(created.body.callsHandled, 0);
    assert.equal(created.body.currentCallId, null);

    const again = await server.request<Json>('PUT', session('agent-a'), { body: {} });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, created.body.id, 'the open session is kept, not replaced');

    const narrowed = await server.request<Json>('PUT', session('agent-a'), {
      body: { campaignIds: ['spring', 'autumn'] },
    });
    assert.equal(narrowed.status, 200);
    assert.equal(narrowed.body.id, created.body.id);
    assert.deepEqual(narrowed.body.campaignIds, ['spring', 'autumn']);
    const read = await server.request<Json>('GET', session('agent-a'));
    assert.deepEqual(read.body.campaignIds, ['spring', 'autumn']);
  });

  test('an empty body is the same as {}', async () => {
    const res = await server.request<Json>('PUT', session('agent-b'));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.campaignIds, null);
    await server.request('DELETE', session('agent-b'));
  });

  test('unknown user: 404 not_found naming the user', async () => {
    const res = await server.request<Problem>('PUT', session('nobody'), { body: {} });
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'not_found');
    assert.equal(res.body.resource, 'user');
    assert.equal(res.body.id, 'nobody');
  });

  test('disabled user: 409 user_disabled with the user status, and a page for the code', async () => {
    const res = await server.request<Problem>('PUT', session('agent-off'), { body: {} });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'user_disabled');
    assert.equal(res.body.userStatus, 'disabled');
    assert.equal(res.body.type, 'http://pconn.test/problems/user_disabled');
    const page = await server.request('GET', '/problems/user_disabled', { token: null });
    assert.equal(page.status, 200);
  });

  test('bad campaignIds: every entry listed; unknown ones make it 422 campaign_not_found', async () => {
    const res = await server.request<Problem>('PUT', session('agent-b'), {
      body: { campaignIds: ['spring', 'ghost', 'autumn'] },
    });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.code, 'campaign_not_found');
    assert.deepEqual(
      res.body.errors?.map((e) => e.pointer),
      ['/campaignIds/1', '/campaignIds/2'],
    );
    assert.match(res.body.errors?.[1]?.detail ?? '', /not an agent of campaign 'autumn'/);
    assert.match(res.body.errors?.[1]?.hint ?? '', /agentIds/);
    const opened = await server.request<Problem>('GET', session('agent-b'));
    assert.notEqual(opened.body.status, 'starting', 'nothing was started by the refused request');
  });

  test('campaigns that do not list the user: 422 user_unavailable', async () => {
    const res = await server.request<Problem>('PUT', session('agent-b'), {
      body: { campaignIds: ['autumn', 'open'] },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'user_unavailable');
    assert.equal(res.body.pointer, '/campaignIds/0');
    assert.equal(res.body.errors?.length, 1, 'a campaign without agentIds takes any agent');
  });

  test('schema errors: all at once (unknown field with hint, duplicate and malformed ids)', async () => {
    const res = await server.request<Problem>('PUT', session('agent-b'), {
      body: { campaignIds: ['a', 'a'], campaignId: 'x' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'invalid_request');
    const pointers = res.body.errors?.map((e) => e.pointer) ?? [];
    assert.ok(pointers.includes('/campaignId'), JSON.stringify(res.body.errors));
    assert.ok(
      pointers.some((p) => p.startsWith('/campaignIds')),
      JSON.stringify(res.body.errors),
    );
    const empty = await server.request<Problem>('PUT', session('agent-b'), { body: { campaignIds: [] } });
    assert.equal(empty.status, 400);
  });
});

describe('GET and DELETE /v1/users/{id}/session', () => {
  test('a user who never had a session: GET and DELETE are 404 not_found (resource session)', async () => {
    await server.request('PUT', '/v1/users/agent-new', {
      body: { name: 'New', device: { type: 'sip', uri: 'sip:n@127.0.0.1' } },
    });
    for (const method of ['GET', 'DELETE']) {
      const res = await server.request<Problem>(method, session('agent-new'));
      assert.equal(res.status, 404, `${method}: ${res.text}`);
      assert.equal(res.body.resource, 'session');
      assert.match(String(res.body.detail), /agent-new/);
    }
    const unknownUser = await server.request<Problem>('GET', session('ghost-user'));
    assert.equal(unknownUser.body.resource, 'user');
  });

  test('DELETE of a session no node took ends it at once (200); repeating it answers the ended session', async () => {
    await server.request('PUT', '/v1/users/agent-c', {
      body: { name: 'C', device: { type: 'sip', uri: 'sip:c@127.0.0.1' } },
    });
    const started = await server.request<Json>('PUT', session('agent-c'), { body: {} });
    const ended = await server.request<Json>('DELETE', session('agent-c'));
    assert.equal(ended.status, 200, ended.text);
    assert.equal(ended.body.id, started.body.id);
    assert.equal(ended.body.status, 'ended');
    assert.equal(ended.body.endReason, 'ended_by_request');
    assert.equal((ended.body.agentLeg as Json).state, 'ended');
    assert.ok(ended.body.endedAt);
    const again = await server.request<Json>('DELETE', session('agent-c'));
    assert.equal(again.status, 200);
    assert.equal(again.body.id, started.body.id);
    const read = await server.request<Json>('GET', session('agent-c'));
    assert.equal(read.body.status, 'ended');
    const next = await server.request<Json>('PUT', session('agent-c'), { body: {} });
    assert.equal(next.status, 201, 'a new session after the last one ended');
    assert.notEqual(next.body.id, started.body.id);
  });

  test('every change writes agent.session_changed into the outbox, in sequence per user', async () => {
    await server.request('PUT', '/v1/users/agent-e', {
      body: { name: 'E', device: { type: 'sip', uri: 'sip:e@127.0.0.1' } },
    });
    await server.request('PUT', session('agent-e'), { body: {} });
    await server.request('PUT', session('agent-e'), { body: {} }); // no change: no event
    const narrowed = await server.request('PUT', session('agent-e'), { body: { campaignIds: ['open'] } });
    assert.equal(narrowed.status, 200, narrowed.text);
    const deleted = await server.request<Json>('DELETE', session('agent-e'));
    const rows = await server.store.db
      .selectFrom('call_events')
      .select(['subject_type', 'subject_id', 'sequence', 'type', 'data', 'call_id'])
      .where('subject_id', '=', 'agent-e')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.subject_type, r.type, r.sequence, r.call_id]),
      [
        ['user', 'agent.session_changed', 1, null],
        ['user', 'agent.session_changed', 2, null],
        ['user', 'agent.session_changed', 3, null],
      ],
    );
    const data = rows.map((r) => r.data as Json);
    assert.deepEqual(
      data.map((d) => [d.from, d.to, d.reason]),
      [
        [null, 'starting', 'started_by_request'],
        ['starting', 'starting', 'updated_by_request'],
        ['starting', 'ended', 'ended_by_request'],
      ],
    );
    assert.equal((data[2]?.session as Json | undefined)?.id, deleted.body.id);
    assert.equal(typeof data[0]?.requestId, 'string');
  });

  test('scopes: users:read reads, users:write changes; each request is audited', async () => {
    const reader = await server.tokenWithScopes(['users:read']);
    const read = await server.request('GET', session('agent-a'), { token: reader });
    assert.equal(read.status, 200);
    const refused = await server.request<Problem>('PUT', session('agent-a'), { token: reader, body: {} });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body.requiredScopes, ['users:write']);
    const deleteRefused = await server.request<Problem>('DELETE', session('agent-a'), { token: reader });
    assert.equal(deleteRefused.status, 403);
    const other = await server.tokenWithScopes(['calls:read']);
    assert.equal((await server.request('GET', session('agent-a'), { token: other })).status, 403);

    const put = await server.request('PUT', session('agent-a'), { body: { campaignIds: ['spring'] } });
    const requestId = put.headers.get('x-request-id');
    const audit = await server.request<{ data: Json[] }>('GET', `/v1/audit-events?requestId=${requestId}`);
    assert.equal(audit.body.data.length, 1);
    assert.equal(audit.body.data[0]?.status, 200);
    assert.equal(audit.body.data[0]?.route, '/v1/users/:id/session');
  });

  test('the OpenAPI document describes the three operations with their scopes', async () => {
    const doc = await server.request<{ paths: Record<string, Record<string, Json>> }>('GET', '/openapi.json');
    const item = doc.body.paths['/v1/users/{id}/session'];
    assert.ok(item, 'path missing');
    // PUT and DELETE ask for users:read: an agent starts and ends their own session, anyone
    // else's needs users:write (test/api/agent-own-session.test.ts).
    assert.deepEqual(item.put?.security, [{ oauth2: ['users:read'] }]);
    assert.deepEqual(item.get?.security, [{ oauth2: ['users:read'] }]);
    assert.deepEqual(item.delete?.security, [{ oauth2: ['users:read'] }]);
    assert.ok((item.delete?.responses as Json | undefined)?.['202']);
  });
});
