import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { SCOPES } from '../../src/domain/scopes.ts';
import { SigningKeyRing } from '../../src/service/auth/signing-keys.ts';
import { SteppedClock } from '../support/stepped-clock.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
type TokenResponse = { access_token: string; token_type: string; expires_in: number; scope: string };
type Reply = { status: number; headers: Headers; body: Json; text: string };

const ISSUER = 'http://pconn.test';
const FAST = { PCONN_RATE_LIMIT_RPS: '100000', PCONN_RATE_LIMIT_BURST: '100000', PCONN_DIALER: 'off' };

let server: TestServer;
const clock = new SteppedClock();
before(async () => {
  server = await startTestServer({ env: FAST, clock });
});
after(() => server.close());

/** POSTs to /oauth/token: `form` as x-www-form-urlencoded unless `raw` is given. */
async function tokenRequest(
  target: TestServer,
  form: Record<string, string>,
  options: { basic?: [string, string]; raw?: string; contentType?: string; headers?: Json } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    ...(options.headers as Record<string, string> | undefined),
  };
  if (options.basic) {
    const [id, secret] = options.basic.map(encodeURIComponent);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }
  const body = options.raw ?? new URLSearchParams(form).toString();
  const response = await fetch(`${target.url}/oauth/token`, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    // asserted by the caller
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** A new client of `default` (created by the bootstrap admin). */
async function newClient(
  target: TestServer,
  scopes: string[],
): Promise<{ clientId: string; clientSecret: string }> {
  const res = await target.request<{ clientId: string; clientSecret: string }>('POST', '/v1/clients', {
    body: { name: `oauth test ${scopes.join(' ')}`, scopes },
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function issue(target: TestServer, clientId: string, secret: string, scope?: string) {
  const form: Record<string, string> = {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
  };
  if (scope !== undefined) form.scope = scope;
  const res = await tokenRequest(target, form);
  assert.equal(res.status, 200, res.text);
  return res.body as TokenResponse;
}

/** An RFC 6749 §5.2 error: exactly `{error, error_description}`, JSON, not cached. */
function assertOAuthError(res: Reply, status: number, error: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'error_description']);
  assert.equal(res.body.error, error);
  assert.ok(String(res.body.error_description).length > 0);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  if (status === 401) assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
}

describe('token endpoint: client authentication', () => {
  let client: { clientId: string; clientSecret: string };
  before(async () => {
    client = await newClient(server, ['campaigns:read', 'contacts:read']);
  });

  test('HTTP Basic works and answers an RFC 6749 §5.1 token, not cached', async () => {
    const res = await tokenRequest(
      server,
      { grant_type: 'client_credentials' },
      { basic: [client.clientId, client.clientSecret] },
    );
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(res.body.scope, 'campaigns:read contacts:read');
  });

  test('form fields work', async () => {
    const token = await issue(server, client.clientId, client.clientSecret);
    assert.equal(token.scope, 'campaigns:read contacts:read');
    const campaigns = await server.request('GET', '/v1/campaigns', { token: token.access_token });
    assert.equal(campaigns.status, 200, campaigns.text);
  });

  test('the Basic scheme name is case-insensitive', async () => {
    const credentials = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
    const res = await tokenRequest(
      server,
      { grant_type: 'client_credentials' },
      { headers: { authorization: `basic ${credentials}` } },
    );
    assert.equal(res.status, 200, res.text);
  });

  test('both at once is 400 invalid_request', async () => {
    const basic: [string, string] = [client.clientId, client.clientSecret];
    const both = await tokenRequest(
      server,
      { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
      { basic },
    );
    assertOAuthError(both, 400, 'invalid_request');
    const otherId = await tokenRequest(
      server,
      { grant_type: 'client_credentials', client_id: 'other' },
      { basic },
    );
    assertOAuthError(otherId, 400, 'invalid_request');
    // The same client_id next to Basic is not a second method (some libraries send it).
    const sameId = await tokenRequest(
      server,
      { grant_type: 'client_credentials', client_id: client.clientId },
      { basic },
    );
    assert.equal(sameId.status, 200, sameId.text);
  });

  test('a wrong secret or an unknown client is 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const grant = { grant_type: 'client_credentials' };
    const cases = [
      tokenRequest(server, { ...grant, client_id: client.clientId, client_secret: 'wrong-secret' }),
      tokenRequest(server, { ...grant, client_id: 'nobody', client_secret: client.clientSecret }),
      tokenRequest(server, grant, { basic: [client.clientId, 'wrong-secret'] }),
      tokenRequest(server, grant, { basic: ['nobody', client.clientSecret] }),
      tokenRequest(server, grant),
      tokenRequest(server, { ...grant, client_id: client.clientId }),
    ];
    for (const res of await Promise.all(cases)) assertOAuthError(res, 401, 'invalid_client');
  });
});

describe('token endpoint: request validation', () => {
  let client: { clientId: string; clientSecret: string };
  const form = () => ({ client_id: client.clientId, client_secret: client.clientSecret });
  before(async () => {
    client = await newClient(server, ['campaigns:read', 'contacts:read']);
  });

  test('a missing grant_type is invalid_request', async () => {
    assertOAuthError(await tokenRequest(server, form()), 400, 'invalid_request');
  });

  test('grant_type=password is unsupported_grant_type', async () => {
    const res = await tokenRequest(server, {
      ...form(),
      grant_type: 'password',
      username: 'u',
      password: 'p',
    });
    assertOAuthError(res, 400, 'unsupported_grant_type');
  });

  test('a scope the client does not hold (or that does not exist) is invalid_scope', async () => {
    for (const scope of ['campaigns:read calls:write', 'admin', 'no-such-scope']) {
      const res = await tokenRequest(server, { ...form(), grant_type: 'client_credentials', scope });
      assertOAuthError(res, 400, 'invalid_scope');
    }
  });

  test('bodies that are not a form are invalid_request in the RFC 6749 shape', async () => {
    const json = JSON.stringify({ grant_type: 'client_credentials', ...form() });
    const cases = [
      tokenRequest(server, {}, { raw: json, contentType: 'application/json' }),
      tokenRequest(server, {}, { raw: '{"grant_type":', contentType: 'application/json' }),
      tokenRequest(server, {}, { raw: 'grant_type=client_credentials', contentType: 'text/plain' }),
    ];
    for (const res of await Promise.all(cases)) assertOAuthError(res, 400, 'invalid_request');
    const huge = await tokenRequest(server, {}, { raw: `grant_type=${'x'.repeat(1_100_000)}` });
    assertOAuthError(huge, 413, 'invalid_request');
  });

  test('a parameter sent twice is invalid_request (RFC 6749 §3.2)', async () => {
    const raw = `${new URLSearchParams({ grant_type: 'client_credentials', ...form() })}&grant_type=password`;
    assertOAuthError(await tokenRequest(server, {}, { raw }), 400, 'invalid_request');
  });
});

describe('access tokens', () => {
  test('a scope subset gives a token with exactly that scope; other routes are 403', async () => {
    const client = await newClient(server, ['campaigns:read', 'contacts:read', 'users:read']);
    const token = await issue(server, client.clientId, client.clientSecret, 'users:read campaigns:read');
    assert.equal(token.scope, 'users:read campaigns:read');
    assert.equal(decodeJwt(token.access_token).scope, 'users:read campaigns:read');
    for (const path of ['/v1/campaigns', '/v1/users']) {
      const res = await server.request('GET', path, { token: token.access_token });
      assert.equal(res.status, 200, res.text);
    }
    const outside = await server.request('GET', '/v1/contacts', { token: token.access_token });
    assert.equal(outside.status, 403, outside.text);
    assert.equal(outside.body.code, 'insufficient_scope');
    assert.deepEqual(outside.body.grantedScopes, ['users:read', 'campaigns:read']);
  });

  test('the JWT is ES256 with kid and typ at+jwt, and carries tenant, client and scope', async () => {
    const client = await newClient(server, ['campaigns:read']);
    const token = await issue(server, client.clientId, client.clientSecret);
    const header = decodeProtectedHeader(token.access_token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'at+jwt');
    assert.ok(typeof header.kid === 'string' && header.kid.length > 0);
    const claims = decodeJwt(token.access_token);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, 'pconn');
    assert.equal(claims.tenant, 'default');
    assert.equal(claims.client_id, client.clientId);
    assert.equal(claims.sub, client.clientId);
    assert.equal(claims.scope, 'campaigns:read');
    assert.ok(typeof claims.jti === 'string');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), token.expires_in);
  });

  test('the JWKS verifies the token; it holds public keys only', async () => {
    const token = await server.adminToken();
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: ISSUER,
      audience: 'pconn',
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    assert.equal(payload.client_id, server.adminId);
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    const { keys } = (await res.json()) as { keys: Json[] };
    const key = keys.find((k) => k.kid === protectedHeader.kid);
    assert.ok(key);
    assert.equal(key.kty, 'EC');
    assert.equal(key.crv, 'P-256');
    assert.equal(key.use, 'sig');
    for (const k of keys) assert.equal(k.d, undefined, 'no private key material in the JWKS');
  });

  test('RFC 8414 metadata', async () => {
    const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    assert.equal(res.status, 200);
    const meta = (await res.json()) as Json;
    assert.equal(meta.issuer, ISSUER);
    assert.equal(meta.issuer, decodeJwt(await server.adminToken()).iss, 'the issuer of the tokens');
    assert.equal(meta.token_endpoint, `${ISSUER}/oauth/token`);
    assert.equal(meta.jwks_uri, `${ISSUER}/.well-known/jwks.json`);
    assert.deepEqual(meta.grant_types_supported, ['client_credentials']);
    assert.deepEqual([...(meta.token_endpoint_auth_methods_supported as string[])].sort(), [
      'client_secret_basic',
      'client_secret_post',
    ]);
    for (const scope of SCOPES.filter((s) => s !== 'system')) {
      assert.ok((meta.scopes_supported as string[]).includes(scope), scope);
    }
    // No authorization endpoint: no response type (implicit 'token' included) is supported.
    assert.deepEqual(meta.response_types_supported, []);
  });
});

describe('clients', () => {
  test('secrets are stored scrypt-hashed and never reach the audit trail', async () => {
    const client = await newClient(server, ['calls:read']);
    await issue(server, client.clientId, client.clientSecret);
    const row = await server.store.db
      .selectFrom('clients')
      .select('secret_hash')
      .where('id', '=', client.clientId)
      .executeTakeFirstOrThrow();
    assert.match(row.secret_hash, /^scrypt\$/);
    assert.ok(!row.secret_hash.includes(client.clientSecret));
    const listed = await server.request('GET', '/v1/clients');
    assert.equal(listed.status, 200, listed.text);
    assert.ok(listed.text.includes(client.clientId));
    assert.ok(!/scrypt|secret/i.test(listed.text), 'no secret or hash in the client list');
    const audit = await server.store.db.selectFrom('audit_events').select(['body', 'problem']).execute();
    assert.ok(!JSON.stringify(audit).includes(client.clientSecret), 'secret in the audit trail');
  });

  test("'system' is never granted through POST /v1/clients, not even by a system client", async () => {
    const adminOnly = await server.tokenWithScopes(['admin', 'calls:read']);
    const res = await server.request('POST', '/v1/clients', {
      token: adminOnly,
      body: { name: 'escalation', scopes: ['calls:read', 'system'] },
    });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.code, 'insufficient_scope');
    assert.deepEqual(res.body.requiredScopes, ['system']);
    const bySystem = await server.request('POST', '/v1/clients', {
      body: { name: 'not here', scopes: ['system'] },
    });
    assert.equal(bySystem.status, 403, bySystem.text);
    assert.match(String(bySystem.body.detail), /POST \/v1\/tenants\/\{id\}\/clients/);
    const onTenantRoute = await server.request('POST', '/v1/tenants/default/clients', {
      body: { name: 'ok', scopes: ['system'] },
    });
    assert.equal(onTenantRoute.status, 201, onTenantRoute.text);
  });

  test('revoking a client stops its tokens within the cache TTL and its secret at once', async () => {
    const client = await newClient(server, ['campaigns:read']);
    const token = await issue(server, client.clientId, client.clientSecret);
    const ok = await server.request('GET', '/v1/campaigns', { token: token.access_token });
    assert.equal(ok.status, 200, ok.text);
    const revoked = await server.request('POST', `/v1/clients/${client.clientId}/revoke`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.status, 'revoked');
    assert.ok(revoked.body.revokedAt);
    const again = await tokenRequest(server, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    assertOAuthError(again, 401, 'invalid_client');

    // The token is refused once the 5 s client-status cache has run out: skip it on the clock.
    clock.advance(5001);
    const res = await server.request('GET', '/v1/campaigns', { token: token.access_token });
    assert.equal(res.status, 401, 'the token still works after the 5 s cache TTL');
    assert.equal(res.body.code, 'invalid_token');
  });
});

describe('signing key rotation', () => {
  let rotating: TestServer;
  const rotatingClock = new SteppedClock();
  before(async () => {
    rotating = await startTestServer({ env: FAST, clock: rotatingClock });
  });
  after(() => rotating.close());

  /** Makes the node reload its keys: it does when it sees a kid it does not know (at most once a second). */
  async function reloadKeys(): Promise<void> {
    rotatingClock.advance(1100);
    const { privateKey } = await generateKeyPair('ES256');
    const unknown = await new SignJWT({ tenant: 'default', client_id: rotating.adminId, scope: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid: randomUUID(), typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience('pconn')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const res = await rotating.request('GET', '/v1/campaigns', { token: unknown });
    assert.equal(res.status, 401, res.text);
  }

  const kidOf = (token: string) => String(decodeProtectedHeader(token).kid);
  const jwksKids = async () => {
    const res = await fetch(`${rotating.url}/.well-known/jwks.json`);
    return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
  };

  test('a retired key stops signing but keeps verifying until its tokens expire', async () => {
    const client = await newClient(rotating, ['campaigns:read']);
    const oldToken = (await issue(rotating, client.clientId, client.clientSecret)).access_token;
    const oldKid = kidOf(oldToken);
    await rotating.store.db
      .updateTable('signing_keys')
      .set({ retires_at: new Date(Date.now() - 1000) })
      .where('kid', '=', oldKid)
      .execute();
    await reloadKeys();

    const newToken = (await issue(rotating, client.clientId, client.clientSecret)).access_token;
    const newKid = kidOf(newToken);
    assert.notEqual(newKid, oldKid, 'a new key signs new tokens');
    const kids = await jwksKids();
    assert.ok(kids.includes(oldKid) && kids.includes(newKid), `both keys are published: ${kids}`);
    const jwks = createRemoteJWKSet(new URL(`${rotating.url}/.well-known/jwks.json`));
    for (const token of [oldToken, newToken]) {
      await jwtVerify(token, jwks, { issuer: ISSUER, audience: 'pconn' });
      const res = await rotating.request('GET', '/v1/campaigns', { token });
      assert.equal(res.status, 200, res.text);
    }

    // Once the old key has expired it is no longer published and its tokens are refused.
    await rotating.store.db
      .updateTable('signing_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('kid', '=', oldKid)
      .execute();
    await reloadKeys();
    assert.deepEqual(await jwksKids(), [newKid]);
    const refused = await rotating.request('GET', '/v1/campaigns', { token: oldToken });
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.body.code, 'invalid_token');
    const accepted = await rotating.request('GET', '/v1/campaigns', { token: newToken });
    assert.equal(accepted.status, 200, accepted.text);
  });

  test('signers racing at rotation time create one new key, and the retired one stays published', async () => {
    const db = rotating.store.db;
    let now = new Date();
    const ring = new SigningKeyRing(db, { rotationSeconds: 60, tokenTtlSeconds: 3600 }, { now: () => now });
    await ring.refresh();
    const current = await ring.signingKey();
    const count = async () => (await db.selectFrom('signing_keys').select('kid').execute()).length;
    const keysBefore = await count();
    now = new Date(current.retiresAt.getTime() + 1000);
    const signers = await Promise.all(Array.from({ length: 5 }, () => ring.signingKey()));
    assert.equal(new Set(signers.map((key) => key.kid)).size, 1, 'one key for all');
    assert.notEqual(signers[0]?.kid, current.kid);
    assert.equal(await count(), keysBefore + 1);
    assert.ok(ring.publicKeys().some((key) => key.kid === current.kid));
  });
});

describe('external issuer', () => {
  const EXTERNAL = 'https://idp.example.test';
  let jwksServer: Server;
  let external: TestServer;
  let signingKey: CryptoKey;

  before(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
    jwksServer = createServer((req, res) => {
      if (req.url !== '/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const port = (jwksServer.address() as AddressInfo).port;
    external = await startTestServer({
      env: {
        ...FAST,
        PCONN_EXTERNAL_ISSUER: EXTERNAL,
        PCONN_EXTERNAL_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
        PCONN_EXTERNAL_TENANT_CLAIM: 'org',
      },
    });
  });
  after(async () => {
    await external.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const externalToken = (claims: JWTPayload, key: CryptoKey = signingKey, kid = 'idp-1') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(EXTERNAL)
      .setSubject('svc-42')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);

  test('a token of the external issuer naming a tenant is accepted with its scopes', async () => {
    const token = await externalToken({ org: 'default', scope: 'campaigns:read' });
    const res = await external.request('GET', '/v1/campaigns', { token });
    assert.equal(res.status, 200, res.text);
    const outside = await external.request('GET', '/v1/contacts', { token });
    assert.equal(outside.status, 403, outside.text);
    assert.equal(outside.body.code, 'insufficient_scope');
    // It cannot grant `system`: that administers every tenant, and its tokens are bound to one.
    const system = await externalToken({ org: 'default', scope: 'campaigns:read system' });
    const tenants = await external.request('POST', '/v1/tenants', { token: system, body: { name: 'x' } });
    assert.equal(tenants.status, 403, tenants.text);
    assert.deepEqual(tenants.body.grantedScopes, ['campaigns:read']);
    // pconn's own tokens keep working next to the external issuer.
    const own = await external.request('GET', '/v1/campaigns');
    assert.equal(own.status, 200, own.text);
  });

  test('without the tenant claim, with an unknown tenant or a foreign key it is 401 invalid_token', async () => {
    const stranger = (await generateKeyPair('ES256')).privateKey;
    const tokens = {
      'no tenant claim': await externalToken({ scope: 'campaigns:read' }),
      'unknown tenant': await externalToken({ org: 'no-such-tenant', scope: 'campaigns:read' }),
      'unknown tenant, no scope': await externalToken({ org: 'no-such-tenant', scope: 'users:read' }),
      'key not in the JWKS': await externalToken({ org: 'default', scope: 'campaigns:read' }, stranger),
      'never expires (no exp)': await new SignJWT({ org: 'default', scope: 'campaigns:read' })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer(EXTERNAL)
        .setIssuedAt()
        .sign(signingKey),
      expired: await new SignJWT({ org: 'default', scope: 'campaigns:read' })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer(EXTERNAL)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(signingKey),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await external.request('GET', '/v1/campaigns', { token });
      const requestId = res.headers.get('x-request-id') ?? '';
      assert.equal(res.status, 401, `${name}: ${res.text}`);
      assert.equal(res.body.code, 'invalid_token', name);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/, name);
      // A 401 belongs to the tenant-less audit chain, never to a tenant the token merely names.
      const row = await external.store.db
        .selectFrom('audit_events')
        .select(['chain', 'status'])
        .where('request_id', '=', requestId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { chain: '-', status: 401 }, name);
    }
  });
});
