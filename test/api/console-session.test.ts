// Console sign-in: users with a role and a password (scrypt) open a cookie session that is
// exchanged for short-lived access tokens with the role's scopes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

const ADMIN_PASSWORD = 'console-admin-password-1';
const CONSOLE = { 'x-pconn-console': '1' };
type Signed = { user: { id: string; role: string }; accessToken: string; scope: string; expiresIn: number };
type Problem = { code: string; detail: string; errors?: { pointer: string; code: string; hint?: string }[] };

let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: {
      PCONN_DIALER: 'off',
      PCONN_RATE_LIMIT_RPS: '100000',
      PCONN_RATE_LIMIT_BURST: '100000',
      PCONN_BOOTSTRAP_CONSOLE_PASSWORD: ADMIN_PASSWORD,
    },
  });
});
after(() => server.close());

function signIn(user: string, password: string, headers: Record<string, string> = CONSOLE) {
  return server.request<Signed & Problem>('POST', '/console/session', {
    token: null,
    body: { user, password },
    headers,
  });
}

function sessionCookie(setCookie: string | null): string {
  assert.ok(setCookie, 'the answer sets a cookie');
  return setCookie.split(';')[0] as string;
}

async function createAgent(id: string, password: string): Promise<void> {
  const put = await server.request('PUT', `/v1/users/${id}`, {
    body: { name: id, role: 'agent', device: { type: 'sip', uri: `sip:${id}@127.0.0.1` } },
  });
  assert.equal(put.status, 201, put.text);
  const set = await server.request('POST', `/v1/users/${id}/password`, { body: { password } });
  assert.equal(set.status, 204, set.text);
}

describe('console sign-in', () => {
  test('the bootstrap admin signs in: an HTTP-only SameSite=Strict cookie and a token with the admin role’s scopes', async () => {
    const signed = await signIn('admin', ADMIN_PASSWORD);
    assert.equal(signed.status, 201, signed.text);
    assert.equal(signed.body.user.role, 'admin');
    assert.equal(signed.headers.get('cache-control'), 'no-store');
    const cookie = signed.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^pconn_console=[A-Za-z0-9_-]{43}; /);
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/console', 'Max-Age=28800'])
      assert.ok(cookie.includes(attribute), `cookie has ${attribute}: ${cookie}`);
    assert.ok(!cookie.includes('Secure'), 'no Secure attribute over plain HTTP');
    assert.ok(signed.body.expiresIn <= 900, 'console tokens are short-lived');
    const users = await server.request('GET', '/v1/users', { token: signed.body.accessToken });
    assert.equal(users.status, 200, users.text);
    const tenants = await server.request<Problem>('POST', '/v1/tenants', {
      token: signed.body.accessToken,
      body: { id: 'nope', name: 'Nope' },
    });
    assert.equal(tenants.status, 403, 'no console role holds `system`');
    assert.equal(tenants.body.code, 'insufficient_scope');
  });

  test('a wrong password and an unknown user get the same 401, audited in the tenant’s trail without the password', async () => {
    const wrong = await signIn('admin', 'not-the-password');
    const unknown = await signIn('nobody-here', 'not-the-password');
    for (const answer of [wrong, unknown]) {
      assert.equal(answer.status, 401, answer.text);
      assert.equal(answer.body.code, 'invalid_credentials');
    }
    assert.equal(wrong.body.detail, unknown.body.detail, 'the answer never tells which users exist');
    assert.equal(wrong.headers.get('set-cookie'), null, 'no cookie for a failed sign-in');
    const requestId = wrong.headers.get('x-request-id') ?? '';
    const audit = await server.request<{
      data: { clientId: string; status: number; code: string; body: unknown }[];
    }>('GET', `/v1/audit-events?requestId=${encodeURIComponent(requestId)}`);
    assert.equal(audit.status, 200, audit.text);
    const [entry] = audit.body.data;
    assert.ok(entry, `the failed sign-in ${requestId} is in tenant default's audit trail`);
    assert.equal(entry.status, 401);
    assert.equal(entry.code, 'invalid_credentials');
    assert.equal(entry.clientId, 'console:admin');
    assert.ok(!JSON.stringify(entry).includes('not-the-password'), 'the password is masked in the trail');
  });

  test('requests without the console header, or from another origin, are refused before any check', async () => {
    const bare = await signIn('admin', ADMIN_PASSWORD, {});
    assert.equal(bare.status, 403, bare.text);
    assert.equal(bare.body.code, 'cross_site_request');
    const foreign = await signIn('admin', ADMIN_PASSWORD, { ...CONSOLE, origin: 'https://evil.example' });
    assert.equal(foreign.status, 403, foreign.text);
    assert.equal(foreign.body.code, 'cross_site_request');
    const own = await signIn('admin', ADMIN_PASSWORD, { ...CONSOLE, origin: server.url });
    assert.equal(own.status, 201, `the console's own origin is accepted: ${own.text}`);
  });

  test('the cookie renews tokens; signing out ends the session and its tokens', async () => {
    const signed = await signIn('admin', ADMIN_PASSWORD);
    const cookie = sessionCookie(signed.headers.get('set-cookie'));
    const renewed = await server.request<Signed>('POST', '/console/session/token', {
      token: null,
      headers: { ...CONSOLE, cookie },
    });
    assert.equal(renewed.status, 200, renewed.text);
    assert.notEqual(renewed.body.accessToken, signed.body.accessToken);
    const none = await server.request<Problem>('POST', '/console/session/token', {
      token: null,
      headers: CONSOLE,
    });
    assert.equal(none.status, 401, none.text);
    assert.equal(none.body.code, 'console_session_required');

    const out = await server.request('DELETE', '/console/session', {
      token: null,
      headers: { ...CONSOLE, cookie },
    });
    assert.equal(out.status, 204, out.text);
    assert.match(out.headers.get('set-cookie') ?? '', /^pconn_console=; .*Max-Age=0/);
    const after = await server.request<Problem>('POST', '/console/session/token', {
      token: null,
      headers: { ...CONSOLE, cookie },
    });
    assert.equal(after.status, 401, after.text);
    assert.equal(after.body.code, 'console_session_required');
    // Session state is cached for up to 5 s per node, like a client's status.
    await waitFor(
      async () =>
        (await server.request('GET', '/v1/users', { token: renewed.body.accessToken })).status === 401,
      { timeout: 15_000, interval: 200, what: 'the signed-out session’s token to be refused' },
    );
  });

  test('an agent gets only the agent role’s scopes: supervisor routes are refused', async () => {
    await createAgent('desk-agent', 'agent-password-123');
    const signed = await signIn('desk-agent', 'agent-password-123');
    assert.equal(signed.status, 201, signed.text);
    assert.equal(signed.body.user.role, 'agent');
    assert.ok(!signed.body.scope.includes('audit:read'), signed.body.scope);
    const audit = await server.request<Problem>('GET', '/v1/audit-events', {
      token: signed.body.accessToken,
    });
    assert.equal(audit.status, 403, audit.text);
    assert.equal(audit.body.code, 'insufficient_scope');
    const calls = await server.request('GET', '/v1/calls', { token: signed.body.accessToken });
    assert.equal(calls.status, 200, calls.text);
  });

  test('setting a password needs `admin`, is never echoed, and ends the user’s sessions', async () => {
    await createAgent('pw-agent', 'first-password-123');
    const writer = await server.tokenWithScopes(['users:write', 'users:read']);
    const refused = await server.request<Problem>('POST', '/v1/users/pw-agent/password', {
      token: writer,
      body: { password: 'second-password-123' },
    });
    assert.equal(refused.status, 403, refused.text);
    const short = await server.request<Problem>('POST', '/v1/users/pw-agent/password', {
      body: { password: 'short' },
    });
    assert.equal(short.status, 400, short.text);
    assert.ok(!short.text.includes('"short"'), 'the rejected password is not echoed');
    const missing = await server.request<Problem>('POST', '/v1/users/no-such-user/password', {
      body: { password: 'second-password-123' },
    });
    assert.equal(missing.status, 404, missing.text);

    const signed = await signIn('pw-agent', 'first-password-123');
    const cookie = sessionCookie(signed.headers.get('set-cookie'));
    const set = await server.request('POST', '/v1/users/pw-agent/password', {
      body: { password: 'second-password-123' },
    });
    assert.equal(set.status, 204, set.text);
    assert.equal(set.text, '', 'nothing is answered');
    const renewed = await server.request<Problem>('POST', '/console/session/token', {
      token: null,
      headers: { ...CONSOLE, cookie },
    });
    assert.equal(renewed.status, 401, 'the old session ended with the password change');
    assert.equal((await signIn('pw-agent', 'first-password-123')).status, 401);
    assert.equal((await signIn('pw-agent', 'second-password-123')).status, 201);
    const user = await server.request<{ hasConsolePassword: boolean }>('GET', '/v1/users/pw-agent');
    assert.equal(user.body.hasConsolePassword, true);
    assert.ok(!user.text.includes('second-password'), 'the user document never carries the password');
  });

  test('a disabled user’s session stops working', async () => {
    await createAgent('gone-agent', 'gone-password-123');
    const signed = await signIn('gone-agent', 'gone-password-123');
    const cookie = sessionCookie(signed.headers.get('set-cookie'));
    const disable = await server.request('PATCH', '/v1/users/gone-agent', {
      body: { status: 'disabled' },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(disable.status, 200, disable.text);
    const renewed = await server.request<Problem>('POST', '/console/session/token', {
      token: null,
      headers: { ...CONSOLE, cookie },
    });
    assert.equal(renewed.status, 401, renewed.text);
    assert.equal((await signIn('gone-agent', 'gone-password-123')).status, 401);
  });

  test('guessing one user’s password is budgeted per user: past 5 failures even the right one waits', async () => {
    await createAgent('guessed', 'guessed-password-123');
    for (let i = 0; i < 5; i++) assert.equal((await signIn('guessed', `wrong-${i}`)).status, 401);
    const right = await signIn('guessed', 'guessed-password-123');
    assert.equal(right.status, 429, right.text);
    assert.equal(right.body.code, 'rate_limited');
    assert.ok(Number(right.headers.get('retry-after')) >= 1, 'Retry-After is set');
    const other = await signIn('admin', ADMIN_PASSWORD);
    assert.equal(other.status, 201, 'another user is not locked out by it');
  });
});

describe('users with roles', () => {
  test('an agent needs a device (400 with a hint); a supervisor may have none', async () => {
    const agent = await server.request<Problem>('PUT', '/v1/users/no-device', {
      body: { name: 'No device' },
    });
    assert.equal(agent.status, 400, agent.text);
    const error = agent.body.errors?.find((e) => e.pointer === '/device');
    assert.ok(error, `a /device error: ${agent.text}`);
    assert.equal(error.code, 'required');
    assert.match(error.hint ?? '', /role/);
    const supervisor = await server.request<{ role: string; device: unknown; hasConsolePassword: boolean }>(
      'PUT',
      '/v1/users/sup-1',
      { body: { name: 'Sup', role: 'supervisor' } },
    );
    assert.equal(supervisor.status, 201, supervisor.text);
    assert.equal(supervisor.body.role, 'supervisor');
    assert.equal(supervisor.body.device, null);
    assert.equal(supervisor.body.hasConsolePassword, false);
  });

  test('a call through a user without a device is refused up front', async () => {
    await server.request('PUT', '/v1/caller-ids/+12125550100', { body: { verified: true } });
    const call = await server.request<Problem>('POST', '/v1/calls', {
      body: { to: '+12125550123', userId: 'admin', callerId: '+12125550100' },
    });
    assert.equal(call.status, 422, call.text);
    assert.equal(call.body.code, 'user_unavailable');
    assert.match(call.body.detail, /no device/);
  });
});
