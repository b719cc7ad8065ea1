import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

/* `pconn users set-password`: a console password from stdin or generated, then a real sign-in. */

let server: TestServer;
let env: Record<string, string>;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  env = serverEnv(server, tempConfigDir());
  const put = await server.request('PUT', '/v1/users/cli-sup', { body: { name: 'Sup', role: 'supervisor' } });
  assert.equal(put.status, 201, put.text);
});
after(() => server.close());

function signIn(user: string, password: string) {
  return server.request('POST', '/console/session', {
    token: null,
    body: { user, password },
    headers: { 'x-pconn-console': '1' },
  });
}

describe('pconn users set-password', () => {
  test('reads the password from stdin and never prints it', async () => {
    const result = await runCli(['users', 'set-password', 'cli-sup', '--password-stdin'], {
      env,
      input: 'stdin-password-123\n',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes('stdin-password-123'), result.stdout);
    assert.equal((await signIn('cli-sup', 'stdin-password-123')).status, 201);
  });

  test('--generate prints a new password once, and it signs in', async () => {
    const result = await runCli(['users', 'set-password', 'cli-sup', '--generate', '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const { password } = JSON.parse(result.stdout) as { password: string };
    assert.ok(password.length >= 12, `a long enough password: ${result.stdout}`);
    assert.equal((await signIn('cli-sup', password)).status, 201);
  });

  test('without a source of password it is a usage error (exit 2); a short one is the server’s 400', async () => {
    const bare = await runCli(['users', 'set-password', 'cli-sup'], { env });
    assert.equal(bare.code, 2, bare.stderr);
    assert.match(bare.stderr, /--password-stdin|--generate/);
    const short = await runCli(['users', 'set-password', 'cli-sup', '--password-stdin'], {
      env,
      input: 'short\n',
    });
    assert.equal(short.code, 1, short.stderr);
    assert.ok(!`${short.stdout}${short.stderr}`.includes('short\n'), 'the rejected password is not echoed');
  });
});
