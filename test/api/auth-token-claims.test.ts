// Tokens signed with pconn's real key but carrying claims pconn never issues: each is a 401
// invalid_token whose detail (and WWW-Authenticate error_description) names the failed check.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Problem = { code: string; detail: string; status: number };

const OTHER_TENANT = 'claims-other';
let server: TestServer;
/** Signs `claims` with the key pconn signs its own tokens with (read from the store). */
let signReal: (claims: JWTPayload) => Promise<string>;
/** The claims of a real token of the bootstrap admin (tenant `default`). */
let real: JWTPayload;
/** A client of OTHER_TENANT holding every scope of the contract. */
let otherClientId: string;

before(async () => {
  server = await startTestServer({
    env: { PCONN_RATE_LIMIT_RPS: '100000', PCONN_RATE_LIMIT_BURST: '100000', PCONN_DIALER: 'off' },
  });
  const adminToken = await server.adminToken();
  const kid = String(decodeProtectedHeader(adminToken).kid);
  real = decodeJwt(adminToken);
  const row = await server.store.db
    .selectFrom('signing_keys')
    .select('private_jwk')
    .where('kid', '=', kid)
    .executeTakeFirstOrThrow();
  const key = await importJWK(row.private_jwk as JWK, 'ES256');
  signReal = (claims) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(key);

  const tenant = await server.request('POST', '/v1/tenants', { body: { id: OTHER_TENANT, name: 'Other' } });
  assert.equal(tenant.status, 201, tenant.text);
  const client = await server.request<{ clientId: string }>('POST', `/v1/tenants/${OTHER_TENANT}/clients`, {
    body: { name: 'other admin', scopes: ['admin', 'campaigns:read'] },
  });
  assert.equal(client.status, 201, client.text);
  otherClientId = client.body.clientId;
});
after(() => server.close());

/** GET /v1/campaigns with `token`: asserts a 401 invalid_token whose detail matches `why`. */
async function assertRefused(token: string, why: RegExp): Promise<void> {
  const res = await server.request<Problem>('GET', '/v1/campaigns', { token });
  assert.equal(res.status, 401, res.text);
  assert.equal(res.body.code, 'invalid_token', res.text);
  assert.match(res.body.detail, why);
  const challenge = res.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer .*error="invalid_token", error_description="[^"]+"/);
  assert.match(challenge, why, 'the challenge says which check failed');
  // Never echoed: neither in the problem nor in the challenge.
  assert.ok(!res.text.includes(token) && !challenge.includes(token), 'the token is echoed');
  assert.ok(!res.text.includes(token.split('.')[2] ?? '-'), 'the signature is echoed');
}

describe('pconn tokens with claims pconn never issues', () => {
  test('the real claims re-signed are accepted (the control)', async () => {
    const res = await server.request('GET', '/v1/campaigns', { token: await signReal(real) });
    assert.equal(res.status, 200, res.text);
  });

  test('without exp: refused, it would never expire', async () => {
    const { exp: _exp, ...claims } = real;
    await assertRefused(await signReal(claims), /no 'exp' claim/);
  });

  test('without iat: refused', async () => {
    const { iat: _iat, ...claims } = real;
    await assertRefused(await signReal(claims), /no 'iat' claim/);
  });

  test('living longer than pconn issues, or issued in the future: refused', async () => {
    const iat = real.iat as number;
    await assertRefused(await signReal({ ...real, exp: iat + 10 * 365 * 86400 }), /lives \d+ s/);
    await assertRefused(
      await signReal({ ...real, iat: iat + 3600, exp: iat + 3700 }),
      /'iat' claim is in the future/,
    );
  });

  test("a tenant claim that is not the client's tenant: refused", async () => {
    // The bootstrap admin's client id with another (existing) tenant: a key to that tenant.
    await assertRefused(
      await signReal({ ...real, tenant: OTHER_TENANT }),
      /'tenant' claim .* is not the tenant of its client/,
    );
    // Another tenant's client with the tenant `default`.
    await assertRefused(
      await signReal({ ...real, client_id: otherClientId, sub: otherClientId }),
      /'tenant' claim .* is not the tenant of its client/,
    );
    // The other tenant's data was not reachable: its own client sees what it should.
    const own = await server.request('GET', '/v1/campaigns', {
      token: await signReal({ ...real, client_id: otherClientId, sub: otherClientId, tenant: OTHER_TENANT }),
    });
    assert.equal(own.status, 200, own.text);
  });

  test('a tenant claim a header cannot carry is still a clean 401, never a 500', async () => {
    for (const tenant of ['t\u00e9nant\u2212x', 'line\r\nbreak', 'quote"back\\slash']) {
      await assertRefused(
        await signReal({ ...real, tenant }),
        /'tenant' claim .* is not the tenant of its client/,
      );
    }
  });

  test('sub and client_id naming different clients: refused', async () => {
    await assertRefused(await signReal({ ...real, sub: otherClientId }), /'sub' and 'client_id'/);
  });
});
