// The SDK's console-session token source (what the web console runs on): sign in, access tokens
// renewed from the session cookie before they lapse, sign-out ending the session. A cookie jar
// stands in for the browser's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConsoleSessionTokens, PconnApiError, PconnClient } from '../../src/sdk/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const PASSWORD = 'sdk-console-password-1';
let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: { PCONN_DIALER: 'off', PCONN_BOOTSTRAP_CONSOLE_PASSWORD: PASSWORD },
  });
});
after(() => server.close());

/** A fetch that keeps the session cookie like a browser, and counts the session requests. */
function browserLikeFetch() {
  let cookie = '';
  const calls: string[] = [];
  const fetcher = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    if (url.includes('/console/session')) calls.push(`${init?.method} ${new URL(url).pathname}`);
    const headers = new Headers(init?.headers);
    if (cookie && new URL(url).pathname.startsWith('/console')) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers });
    const set = response.headers.get('set-cookie');
    if (set) cookie = /Max-Age=0/.test(set) ? '' : (set.split(';')[0] ?? '');
    return response;
  };
  return { fetcher: fetcher as typeof fetch, calls };
}

describe('ConsoleSessionTokens', () => {
  test('signs in, serves the API through PconnClient, renews from the cookie and ends on sign-out', async () => {
    const { fetcher, calls } = browserLikeFetch();
    let now = 1_000_000;
    let ended = 0;
    const tokens = new ConsoleSessionTokens({
      baseUrl: server.url,
      fetch: fetcher,
      now: () => now,
      onSessionEnded: () => ended++,
    });
    const signedIn = await tokens.signIn({ user: 'admin', password: PASSWORD });
    assert.equal(signedIn.user.role, 'admin');
    assert.equal(tokens.current?.user.id, 'admin');
    const client = new PconnClient({ baseUrl: server.url, tokens, fetch: fetcher });
    assert.equal((await client.campaigns.page()).data.length, 0);
    assert.deepEqual(calls, ['POST /console/session'], 'a fresh token is used as is');

    // At 90% of its life the token is renewed from the cookie, before it lapses.
    now += signedIn.expiresIn * 900;
    await client.users.get('admin');
    assert.deepEqual(calls.at(-1), 'POST /console/session/token');
    const resumed = await new ConsoleSessionTokens({ baseUrl: server.url, fetch: fetcher }).resume();
    assert.equal(resumed?.user.id, 'admin', 'a reloaded page picks the session up from the cookie');

    await tokens.signOut();
    assert.equal(tokens.current, undefined);
    assert.equal(await new ConsoleSessionTokens({ baseUrl: server.url, fetch: fetcher }).resume(), undefined);
    const error = await tokens.get().catch((e: unknown) => e);
    assert.ok(error instanceof PconnApiError, `refused after sign-out: ${String(error)}`);
    assert.equal(error.code, 'console_session_required');
    assert.equal(ended, 0, 'signing out here is not "ended elsewhere"');
  });

  test('a session ended elsewhere is reported once, and a wrong password is a PconnApiError', async () => {
    const { fetcher } = browserLikeFetch();
    let ended = 0;
    const tokens = new ConsoleSessionTokens({
      baseUrl: server.url,
      fetch: fetcher,
      onSessionEnded: () => ended++,
    });
    const wrong = await tokens
      .signIn({ user: 'admin', password: 'wrong-password-here' })
      .catch((e: unknown) => e);
    assert.ok(wrong instanceof PconnApiError, 'a refused sign-in throws');
    assert.equal(wrong.code, 'invalid_credentials');
    await tokens.signIn({ user: 'admin', password: PASSWORD });
    // An admin changing the password ends the user's sessions.
    const set = await server.request('POST', '/v1/users/admin/password', { body: { password: PASSWORD } });
    assert.equal(set.status, 204, set.text);
    tokens.invalidate();
    const error = await tokens.get().catch((e: unknown) => e);
    assert.ok(error instanceof PconnApiError && error.status === 401, `refused: ${String(error)}`);
    assert.equal(ended, 1);
  });

  test('PconnClient still needs credentials when no token source is given', () => {
    assert.throws(() => new PconnClient({ baseUrl: server.url }), /clientId and clientSecret, or tokens/);
  });
});
