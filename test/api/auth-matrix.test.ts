// The auth matrix: generated from app.pconnRoutes, so every route added later is covered without
// touching this file (unless it has a path parameter the table below does not know: then the file
// fails loudly and asks for one).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import type { RouteEntry } from '../../src/api/build-app.ts';
import { SCOPES } from '../../src/domain/scopes.ts';
import { writeWav } from '../../src/media/wav-writer.ts';
import { type ApiResponse, type RequestOptions, startTestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
type Problem = Json & { code: string; status: number; type: string; requestId: string };

const server = await startTestServer({
  env: { PCONN_RATE_LIMIT_RPS: '100000', PCONN_RATE_LIMIT_BURST: '100000', PCONN_DIALER: 'off' },
});
after(() => server.close());

const CALLER_ID = '+14155550100';
const DNC_NUMBER = '+14155550199';
const OTHER_TENANT = 'am-other';
const FAR_FUTURE = new Date(Date.now() + 7 * 86400_000).toISOString();

/**
 * Path parameter → the resource in tenant `default` it addresses. Looked up as
 * `<segment before>/:<name>` first, then `:<name>`. A route with a parameter missing here fails.
 */
const PARAM_VALUES: Record<string, string> = {
  'campaigns/:id': 'am-campaign',
  ':campaignId': 'am-campaign',
  'contacts/:id': 'am-contact',
  ':contactId': 'am-contact',
  'users/:id': 'am-user',
  ':userId': 'am-user',
  'caller-ids/:id': CALLER_ID,
  'trunks/:id': 'am-trunk',
  'webhooks/:id': 'am-webhook',
  'clients/:id': '(set in before)',
  'tenants/:id': 'default',
  'calls/:id': 'am-call',
  'dnc/:number': DNC_NUMBER,
  ':deliveryId': 'dlv_1',
  'prompts/:id': 'am-prompt',
  'agent-sessions/:id': '(set in before)',
};

/** Valid bodies for the cross-tenant requests (a 404 must not hide behind a 400). */
const UPSERT_BODIES: Record<string, unknown> = {
  campaigns: { name: 'Other tenant campaign' },
  contacts: { externalId: 'am-contact' },
  users: { name: 'Other tenant user', device: { type: 'registered' } },
  'caller-ids': { label: 'other tenant' },
  trunks: { uri: 'sip:other.example.com' },
  webhooks: { url: 'http://127.0.0.1:9/other', events: ['*'] },
  dnc: { reason: 'other tenant' },
};
const PATCH_BODIES: Record<string, unknown> = {
  campaigns: { name: 'hijacked' },
  contacts: { name: 'hijacked' },
  users: { name: 'hijacked' },
  'caller-ids': { label: 'hijacked' },
  trunks: { username: 'hijacked' },
  webhooks: { description: 'hijacked' },
};
const ROUTE_BODIES: Record<string, Pick<RequestOptions, 'body' | 'rawBody' | 'headers'>> = {
  'POST /v1/campaigns/:id/contacts': { body: { contactIds: ['am-contact'] } },
  'POST /v1/campaigns/:campaignId/calls': { body: { contactId: 'am-contact', notBefore: FAR_FUTURE } },
  'POST /v1/campaigns/:id/contacts/import': {
    rawBody: 'externalId,name\nam-import,Imported\n',
    headers: { 'content-type': 'text/csv' },
  },
  'PUT /v1/users/:id/session': { body: {} },
  'POST /v1/agent-sessions/:id/pause': { body: { reason: 'matrix' } },
  'POST /v1/agent-sessions/:id/offer/skip': { body: { reason: 'matrix' } },
  'POST /v1/calls/:id/disposition': { body: { code: 'matrix' } },
  'POST /v1/users/:id/password': { body: { password: 'matrix-password-123' } },
  'PUT /v1/prompts/:id': {
    rawBody: Buffer.from(writeWav(new Int16Array(1600), 8000, 'pcm16')),
    headers: { 'content-type': 'audio/wav' },
  },
};

const protectedRoutes = server.pconn.app.pconnRoutes.filter(
  (route): route is RouteEntry & { scope: string } => route.scope !== null,
);
const runId = randomBytes(4).toString('hex');
let requestCounter = 0;
const nextRequestId = (tag: string) => `am-${runId}-${++requestCounter}-${tag}`;

/** The route's URL with every parameter replaced by the id of a real resource in `default`. */
function concreteUrl(route: RouteEntry): string {
  const segments = route.url.split('/');
  return segments
    .map((segment, index) => {
      if (segment.includes('*')) throw new Error(`auth matrix: wildcard route ${route.method} ${route.url}`);
      if (!segment.startsWith(':')) return segment;
      const key = [`${segments[index - 1]}/${segment}`, segment].find((k) => k in PARAM_VALUES);
      if (!key) {
        throw new Error(
          `auth matrix: no value for path parameter '${segment}' of ${route.method} ${route.url}; add it to PARAM_VALUES`,
        );
      }
      return encodeURIComponent(PARAM_VALUES[key] as string);
    })
    .join('/');
}

const hasParams = (route: RouteEntry) => route.url.includes('/:');
const collectionOf = (route: RouteEntry) => route.url.split('/')[2] ?? '';
/** A PUT whose last segment is the id: an upsert that creates the caller's own resource. */
const isUpsert = (route: RouteEntry) => route.method === 'PUT' && /\/:[^/]+$/.test(route.url);
const phase = (route: RouteEntry) => (isUpsert(route) ? 2 : route.method === 'DELETE' ? 1 : 0);

/** How default sees what an upsert route addresses: its GET item route, else its collection's list. */
function viewInDefault(route: RouteEntry): () => Promise<unknown> {
  const routes = server.pconn.app.pconnRoutes;
  const item = routes.find((r) => r.method === 'GET' && r.url === route.url);
  const list = routes.find((r) => r.method === 'GET' && r.url === route.url.replace(/\/:[^/]+$/, ''));
  const target = item ?? list;
  if (!target) throw new Error(`auth matrix: no GET route shows what ${route.method} ${route.url} writes`);
  return async () => {
    const res = await server.request('GET', concreteUrl(target), { token: adminToken });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
}

function assertProblem(response: ApiResponse, status: number, code: string, what: string): Problem {
  const problem = response.body as Problem;
  assert.equal(response.status, status, `${what}: ${response.text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
  assert.equal(problem.code, code, what);
  assert.equal(problem.status, status, what);
  assert.equal(problem.type, `http://pconn.test/problems/${code}`, what);
  assert.equal(problem.requestId, response.headers.get('x-request-id'), what);
  return problem;
}

let adminToken: string;
let otherTenantToken: string;
const scopeTokens = new Map<string, string>();
const badTokens: Array<{ name: string; authorization: string }> = [];

before(async () => {
  adminToken = await server.adminToken();
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await server.request(method, path, { body });
    assert.ok(res.status >= 200 && res.status < 300, `setup ${method} ${path}: ${res.status} ${res.text}`);
    return res;
  };
  await ok('PUT', `/v1/caller-ids/${CALLER_ID}`, { verified: true, label: 'main' });
  await ok('PUT', '/v1/users/am-user', { name: 'Agent', device: { type: 'sip', uri: 'sip:a@127.0.0.1' } });
  await ok('PUT', '/v1/campaigns/am-campaign', {
    name: 'Matrix',
    callerId: CALLER_ID,
    agentIds: ['am-user'],
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
  });
  await ok('PUT', '/v1/contacts/am-contact', {
    externalId: 'am-contact',
    timezone: 'UTC',
    phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
  });
  await ok('POST', '/v1/campaigns/am-campaign/contacts', { contactIds: ['am-contact'] });
  await ok('POST', '/v1/campaigns/am-campaign/start');
  await ok('POST', '/v1/campaigns/am-campaign/calls', {
    id: 'am-call',
    contactId: 'am-contact',
    notBefore: FAR_FUTURE,
  });
  // A session that has ended: GET /v1/users/am-user/session then answers the same every time.
  const session = await ok('PUT', '/v1/users/am-user/session', {});
  PARAM_VALUES['agent-sessions/:id'] = String(session.body.id);
  await ok('DELETE', '/v1/users/am-user/session');
  for (let i = 0; i < 200; i++) {
    const res = await server.request('GET', '/v1/users/am-user/session');
    if ((res.body as { status?: string }).status === 'ended') break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await ok('PUT', '/v1/trunks/am-trunk', { uri: 'sip:trunk.example.com' });
  await ok('PUT', '/v1/webhooks/am-webhook', { url: 'http://127.0.0.1:9/hook', events: ['*'] });
  await ok('PUT', `/v1/dnc/${DNC_NUMBER}`, { reason: 'matrix' });
  const prompt = await server.request('PUT', '/v1/prompts/am-prompt', ROUTE_BODIES['PUT /v1/prompts/:id']);
  assert.ok(prompt.status < 300, `PUT /v1/prompts/am-prompt: ${prompt.text}`);
  const client = await ok('POST', '/v1/clients', { name: 'victim', scopes: ['calls:read'] });
  PARAM_VALUES['clients/:id'] = String(client.body.clientId);
  await ok('POST', '/v1/tenants', { id: OTHER_TENANT, name: 'Other tenant' });

  const contractScopes = SCOPES.filter((scope) => scope !== 'system');
  otherTenantToken = await server.tokenWithScopes([...contractScopes], OTHER_TENANT);
  scopeTokens.set('audit:read', await server.tokenWithScopes(['audit:read']));
  scopeTokens.set('calls:read', await server.tokenWithScopes(['calls:read']));

  // Tokens that must all be 401 invalid_token (same kid and claims as a real one unless noted).
  const header = decodeProtectedHeader(adminToken);
  const claims = decodeJwt(adminToken);
  const row = await server.store.db
    .selectFrom('signing_keys')
    .selectAll()
    .where('kid', '=', String(header.kid))
    .executeTakeFirstOrThrow();
  const realKey = await importJWK(row.private_jwk as JWK, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const sign = (payload: JWTPayload, key: CryptoKey | Uint8Array) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: String(header.kid), typ: 'at+jwt' })
      .sign(key);
  const otherKey = (await generateKeyPair('ES256')).privateKey;
  badTokens.push(
    { name: 'signed by another key', authorization: `Bearer ${await sign(claims, otherKey)}` },
    {
      name: 'expired',
      authorization: `Bearer ${await sign({ ...claims, iat: now - 7200, exp: now - 3600 }, realKey)}`,
    },
    {
      name: 'another issuer',
      authorization: `Bearer ${await sign({ ...claims, iss: 'https://evil.example' }, realKey)}`,
    },
    {
      name: 'another audience',
      authorization: `Bearer ${await sign({ ...claims, aud: 'not-pconn' }, realKey)}`,
    },
    {
      name: 'a tenant that does not exist',
      authorization: `Bearer ${await sign({ ...claims, tenant: 'no-such-tenant' }, realKey)}`,
    },
    {
      // A real client's id under another (existing) tenant: never a key to that tenant.
      name: "a tenant other than its client's",
      authorization: `Bearer ${await sign({ ...claims, tenant: OTHER_TENANT }, realKey)}`,
    },
    {
      name: 'without exp (it would never expire)',
      authorization: `Bearer ${await sign({ ...claims, exp: undefined }, realKey)}`,
    },
    { name: 'not a JWT', authorization: 'Bearer not-a-jwt' },
    {
      name: 'Basic credentials',
      authorization: `Basic ${Buffer.from(`${server.adminId}:${server.adminSecret}`).toString('base64')}`,
    },
  );
});

/** Sends one request with an X-Request-Id of its own; returns the response and pconn's request id. */
async function send(
  route: RouteEntry,
  tag: string,
  authorization: string | undefined,
  extra: Pick<RequestOptions, 'body' | 'rawBody' | 'headers'> = {},
): Promise<{ res: ApiResponse; requestId: string }> {
  const clientRequestId = nextRequestId(tag);
  const headers: Record<string, string> = { ...extra.headers, 'x-request-id': clientRequestId };
  if (authorization) headers.authorization = authorization;
  const res = await server.request(route.method, concreteUrl(route), {
    token: null,
    headers,
    body: extra.body,
    rawBody: extra.rawBody,
  });
  // pconn always answers with an id of its own; the client's is kept on the audit entry.
  const requestId = res.headers.get('x-request-id') ?? '';
  assert.match(requestId, /^req_/, 'the request id is generated by pconn, never the client’s');
  return { res, requestId };
}

/** Audit entries of the tenant-less chain (401s), read from the store. */
async function tenantlessAudit(requestIds: string[]) {
  return server.store.db
    .selectFrom('audit_events')
    .select(['request_id', 'chain', 'tenant_id', 'status', 'code', 'route'])
    .where('request_id', 'in', requestIds)
    .execute();
}

/** The audit entry of a request made with a token of a known tenant, through the API. */
async function auditThroughApi(requestId: string, token: string): Promise<Json> {
  const res = await server.request<{ data: Json[] }>(
    'GET',
    `/v1/audit-events?requestId=${encodeURIComponent(requestId)}`,
    { token },
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.data.length, 1, `one audit entry for ${requestId}: ${res.text}`);
  return res.body.data[0] as Json;
}

test('the matrix covers the API and every route declares a known scope', () => {
  assert.ok(protectedRoutes.length >= 40, `only ${protectedRoutes.length} protected routes`);
  const known = new Set<string>(SCOPES);
  for (const route of protectedRoutes) {
    assert.ok(known.has(route.scope), `${route.method} ${route.url} has unknown scope ${route.scope}`);
    assert.doesNotThrow(() => concreteUrl(route));
  }
  for (const route of server.pconn.app.pconnRoutes.filter((r) => r.scope === null)) {
    assert.match(
      route.url,
      /^\/(oauth\/token|\.well-known\/|problems|health|ready|openapi|console\/session)/,
      route.url,
    );
  }
});

describe('authentication and scope on every protected route', () => {
  for (const route of protectedRoutes) {
    test(`${route.method} ${route.url} [${route.scope}]`, async () => {
      const missing = send(route, 'none', undefined);
      const invalid = badTokens.map((bad) => send(route, 'bad', bad.authorization));
      const otherScope = route.scope === 'audit:read' ? 'calls:read' : 'audit:read';
      const forbidden = send(route, 'scope', `Bearer ${scopeTokens.get(otherScope)}`);

      const none = await missing;
      assertProblem(none.res, 401, 'missing_token', 'no Authorization');
      assert.match(none.res.headers.get('www-authenticate') ?? '', /^Bearer /);

      const bad = await Promise.all(invalid);
      bad.forEach(({ res }, i) => {
        const what = badTokens[i]?.name ?? '';
        assertProblem(res, 401, 'invalid_token', what);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/, what);
      });

      const scoped = await forbidden;
      const problem = assertProblem(scoped.res, 403, 'insufficient_scope', `token with ${otherScope}`);
      assert.deepEqual(problem.requiredScopes, [route.scope]);
      assert.deepEqual(problem.grantedScopes, [otherScope]);
      assert.match(
        scoped.res.headers.get('www-authenticate') ?? '',
        new RegExp(`^Bearer .*error="insufficient_scope".*scope="${route.scope}"`),
      );

      // Every one of them is in the audit trail under its request id.
      const unauthenticated = [none, ...bad];
      const rows = await tenantlessAudit(unauthenticated.map((r) => r.requestId));
      for (const { requestId, res } of unauthenticated) {
        const row = rows.find((r) => r.request_id === requestId);
        assert.ok(row, `no audit entry for 401 ${requestId}`);
        assert.equal(row.chain, '-');
        assert.equal(row.tenant_id, null);
        assert.equal(row.status, 401);
        assert.equal(row.code, (res.body as Problem).code);
        assert.equal(row.route, route.url);
      }
      const entry = await auditThroughApi(scoped.requestId, adminToken);
      assert.equal(entry.status, 403);
      assert.equal(entry.code, 'insufficient_scope');
      assert.equal(entry.route, route.url);
    });
  }
});

describe("another tenant's token never reaches default's resources", () => {
  // `system` routes administer tenants across tenants by design; everything else is tenant-scoped.
  const addressed = protectedRoutes
    .filter((route) => hasParams(route) && route.scope !== 'system')
    // Upserts run last: they create the other tenant's own copies, which later requests would find.
    .sort((a, b) => phase(a) - phase(b));
  // A session's preview offer is a 404 `no_offer` problem (with its own requestId) while none is
  // offered: not a resource to snapshot.
  const readRoutes = protectedRoutes.filter(
    (route) =>
      route.method === 'GET' &&
      hasParams(route) &&
      route.scope !== 'system' &&
      route.url !== '/v1/agent-sessions/:id/offer',
  );
  const snapshot = async () => {
    const entries = await Promise.all(
      readRoutes.map(async (route) => {
        const res = await server.request('GET', concreteUrl(route), { token: adminToken });
        return [route.url, { status: res.status, body: withoutRollingWindow(res.body) }] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
  let initial: Record<string, unknown>;
  /**
   * A rolling window's bounds (the abandonment ledger's last 30 days end "now") move with the
   * clock between two snapshots; they are no resource of default's, so they are left out.
   */
  const withoutRollingWindow = (body: unknown): unknown => {
    if (Array.isArray(body)) return body.map(withoutRollingWindow);
    if (body === null || typeof body !== 'object') return body;
    const entries = Object.entries(body as Record<string, unknown>);
    const rolling = entries.some(([key]) => key === 'from') && entries.some(([key]) => key === 'to');
    return Object.fromEntries(
      entries
        .filter(([key]) => !(rolling && (key === 'from' || key === 'to')))
        .map(([key, value]) => [key, withoutRollingWindow(value)]),
    );
  };

  test('snapshot of default before', async () => {
    initial = await snapshot();
    for (const [url, value] of Object.entries(initial)) {
      assert.equal((value as { status: number }).status, 200, `GET ${url} in default`);
    }
  });

  for (const route of addressed) {
    test(`${route.method} ${route.url}`, async () => {
      const bodies =
        ROUTE_BODIES[`${route.method} ${route.url}`] ??
        (isUpsert(route)
          ? { body: UPSERT_BODIES[collectionOf(route)] }
          : route.method === 'PATCH'
            ? { body: PATCH_BODIES[collectionOf(route)] }
            : {});
      // An upsert creates the other tenant's own resource: default's copy (or list) must not change.
      const defaultView = isUpsert(route) ? viewInDefault(route) : undefined;
      const seenBefore = await defaultView?.();
      const { res, requestId } = await send(route, 'tenant', `Bearer ${otherTenantToken}`, bodies);
      const hint = `add a valid body for ${route.method} ${route.url} to the tables`;
      if (defaultView) {
        assert.ok([200, 201].includes(res.status), `${hint}: ${res.status} ${res.text}`);
        assert.deepEqual(await defaultView(), seenBefore, "default's copy is untouched");
      } else {
        assert.notEqual(res.status, 400, `${hint}: ${res.text}`);
        assert.notEqual(res.status, 415, `${hint}: ${res.text}`);
        assertProblem(res, 404, 'not_found', `${route.method} ${route.url} from ${OTHER_TENANT}`);
      }
      const entry = await auditThroughApi(requestId, otherTenantToken);
      assert.equal(entry.status, res.status);
      assert.equal(entry.tenantId, OTHER_TENANT);
      assert.equal(entry.route, route.url);
    });
  }

  test("default's resources are untouched", async () => {
    assert.deepEqual(await snapshot(), initial);
  });
});
