// A client can only grant scopes it holds itself: POST /v1/clients and POST /v1/tenants/{id}/clients
// refuse the scopes the caller lacks with 403 insufficient_scope naming exactly those.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Problem = {
  code: string;
  detail: string;
  requiredScopes?: string[];
  grantedScopes?: string[];
  errors?: Array<{ pointer: string }>;
};

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { PCONN_RATE_LIMIT_RPS: '100000', PCONN_RATE_LIMIT_BURST: '100000', PCONN_DIALER: 'off' },
  });
});
after(() => server.close());

const clientCount = async () => (await server.store.db.selectFrom('clients').select('id').execute()).length;

test('an admin cannot create a client with scopes it does not hold: 403 naming them, nothing created', async () => {
  const admin = await server.tokenWithScopes(['admin', 'calls:read']);
  const before = await clientCount();
  const res = await server.request<Problem>('POST', '/v1/clients', {
    token: admin,
    body: { name: 'escalation', scopes: ['calls:read', 'calls:write', 'audit:read'] },
  });
  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.code, 'insufficient_scope');
  assert.deepEqual(res.body.requiredScopes, ['calls:write', 'audit:read']);
  assert.deepEqual([...(res.body.grantedScopes ?? [])].sort(), ['admin', 'calls:read']);
  assert.match(res.body.detail, /lacks: calls:write audit:read/);
  assert.match(
    res.headers.get('www-authenticate') ?? '',
    /error="insufficient_scope", scope="calls:write audit:read"/,
  );
  assert.equal(await clientCount(), before, 'no client was created');
  // A token of the client it might have created would have held them: none exists to ask for.
  const audit = await server.request<{ data: Array<{ status: number; code: string }> }>(
    'GET',
    `/v1/audit-events?requestId=${res.headers.get('x-request-id')}`,
  );
  assert.deepEqual(
    audit.body.data.map((e) => [e.status, e.code]),
    [[403, 'insufficient_scope']],
  );
});

test('scopes it holds it can grant, including admin itself', async () => {
  const admin = await server.tokenWithScopes(['admin', 'calls:read']);
  const res = await server.request<{ scopes: string[] }>('POST', '/v1/clients', {
    token: admin,
    body: { name: 'ok', scopes: ['calls:read', 'admin'] },
  });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.scopes, ['calls:read', 'admin']);
});

test('unknown scopes stay a 400 with pointers, checked before authority', async () => {
  const admin = await server.tokenWithScopes(['admin']);
  const res = await server.request<Problem>('POST', '/v1/clients', {
    token: admin,
    body: { name: 'typo', scopes: ['calls:write', 'calls:wirte'] },
  });
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.code, 'invalid_request');
  assert.deepEqual(
    res.body.errors?.map((e) => e.pointer),
    ['/scopes/1'],
  );
});

test('a system client grants only what it holds on POST /v1/tenants/{id}/clients too', async () => {
  const operator = await server.tokenWithScopes(['system', 'campaigns:read']);
  const refused = await server.request<Problem>('POST', '/v1/tenants/default/clients', {
    token: operator,
    body: { name: 'too strong', scopes: ['campaigns:read', 'admin'] },
  });
  assert.equal(refused.status, 403, refused.text);
  assert.deepEqual(refused.body.requiredScopes, ['admin']);
  const granted = await server.request('POST', '/v1/tenants/default/clients', {
    token: operator,
    body: { name: 'fine', scopes: ['campaigns:read', 'system'] },
  });
  assert.equal(granted.status, 201, granted.text);
});
