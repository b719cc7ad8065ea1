import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * An agent's console token reads only (calls, campaigns, contacts, users), yet the agent starts
 * and ends their OWN personal-connection session from the desk. Anyone else's session still needs
 * users:write: another agent's is 403, and so is a client token holding users:read alone.
 */

type Json = Record<string, unknown>;
let server: TestServer;
let annToken: string;

before(async () => {
  server = await startTestServer({
    env: { PCONN_DIALER: 'off', PCONN_RATE_LIMIT_RPS: '100000', PCONN_RATE_LIMIT_BURST: '100000' },
  });
  for (const id of ['ann', 'bob']) {
    const put = await server.request('PUT', `/v1/users/${id}`, {
      body: { name: id, role: 'agent', device: { type: 'sip', uri: `sip:${id}@127.0.0.1` } },
    });
    assert.equal(put.status, 201, put.text);
    const set = await server.request('POST', `/v1/users/${id}/password`, {
      body: { password: `${id}-password-123` },
    });
    assert.equal(set.status, 204, set.text);
  }
  const signed = await server.request<{ accessToken: string }>('POST', '/console/session', {
    token: null,
    body: { user: 'ann', password: 'ann-password-123' },
    headers: { 'x-pconn-console': '1' },
  });
  assert.equal(signed.status, 201, signed.text);
  annToken = signed.body.accessToken;
});
after(() => server.close());

test('an agent starts and ends their own session with their console token', async () => {
  const started = await server.request<Json>('PUT', '/v1/users/ann/session', { body: {}, token: annToken });
  assert.equal(started.status, 201, started.text);
  assert.equal(started.body.userId, 'ann');
  const ended = await server.request<Json>('DELETE', '/v1/users/ann/session', { token: annToken });
  assert.equal(ended.status, 200, ended.text);
  assert.equal(ended.body.status, 'ended');
});

test('another agent’s session is 403 insufficient_scope for PUT and DELETE, and nothing starts', async () => {
  const put = await server.request<Json>('PUT', '/v1/users/bob/session', { body: {}, token: annToken });
  assert.equal(put.status, 403, put.text);
  assert.equal(put.body.code, 'insufficient_scope');
  await server.request('PUT', '/v1/users/bob/session', { body: {} });
  const del = await server.request<Json>('DELETE', '/v1/users/bob/session', { token: annToken });
  assert.equal(del.status, 403, del.text);
  const bob = await server.request<Json>('GET', '/v1/users/bob/session');
  assert.equal(bob.body.status, 'starting', 'bob’s session is still open');
});

test('a client token with users:read alone still cannot start anyone’s session', async () => {
  const token = await server.tokenWithScopes(['users:read']);
  const put = await server.request<Json>('PUT', '/v1/users/ann/session', { body: {}, token });
  assert.equal(put.status, 403, put.text);
  assert.equal(put.body.code, 'insufficient_scope');
});
