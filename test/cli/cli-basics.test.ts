import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { loginArgs, runCli, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let env: Record<string, string>;

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  env = { PCONN_CONFIG_DIR: tempConfigDir() };
});
after(() => server.close());

const cli = (args: string[]) => runCli(args, { env });

describe('pconn CLI: login, campaigns, calls', () => {
  test('login saves a 0600 profile with a cached token; later commands use it', async () => {
    const login = await cli(loginArgs(server));
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /logged in to .* as test-admin \(profile 'default', default\)/);
    const path = join(env.PCONN_CONFIG_DIR as string, 'profiles.json');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(saved.profiles.default.url, server.url);
    const cachedToken = saved.profiles.default.token.accessToken as string;
    assert.ok(cachedToken.length > 20);

    const list = await cli(['campaigns', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
    // The cached token was reused, not replaced.
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).profiles.default.token.accessToken, cachedToken);
  });

  test('a second named profile; a wrong secret is refused with exit 3 and no stack trace', async () => {
    const bad = await cli(loginArgs(server, { profile: 'other', secret: 'wrong-secret-123456' }));
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /Authentication failed \(invalid_client, HTTP 401\)/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    const good = await cli(loginArgs(server, { profile: 'other' }));
    assert.equal(good.code, 0, good.stderr);
    const profiles = await cli(['profiles', '--json']);
    assert.deepEqual(
      JSON.parse(profiles.stdout).map((p: { name: string; default: boolean }) => [p.name, p.default]),
      [
        ['default', true],
        ['other', false],
      ],
    );
    const missing = await cli(['campaigns', 'list', '--profile', 'nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no profile 'nope'/);
  });

  test('usage errors exit 2; unreachable server exits 3', async () => {
    const usage = await cli(['campaigns', 'frobnicate']);
    assert.equal(usage.code, 2);
    const noTarget = await cli(['call']);
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /say whom to call/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await cli(['campaigns', 'list', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /cannot reach the pconn server \(ECONNREFUSED\)/);
  });

  test('campaigns create/get/start/pause and a validation error with pointer and hint', async () => {
    const bad = await cli([
      'campaigns',
      'create',
      '--id',
      'cli-camp',
      '--name',
      'CLI',
      '--caller-id',
      '4155550100',
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error: Invalid request \(invalid_request, HTTP 400\)/);
    assert.match(bad.stderr, /- \/callerId: .*no leading '\+'/);
    assert.match(bad.stderr, /hint: Did you mean '\+14155550100'\?/);
    assert.match(bad.stderr, /pconn explain /);
    const created = await cli([
      'campaigns',
      'create',
      '--id',
      'cli-camp',
      '--name',
      'CLI',
      '--window',
      '00:00-00:00',
      '--timezone',
      'UTC',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).status, 'draft');
    assert.equal(
      (await cli(['campaigns', 'start', 'cli-camp'])).stdout.trim(),
      'campaign cli-camp is now running',
    );
    const resume = await cli(['campaigns', 'resume', 'cli-camp']);
    assert.equal(resume.code, 1);
    assert.match(resume.stderr, /invalid_transition/);
    const got = await cli(['campaigns', 'get', 'cli-camp']);
    assert.match(got.stdout, /cli-camp {2}running {2}CLI/);
  });

  test('call --watch follows a sandbox call to completed; calls list/get/cancel', async () => {
    await server.request('PUT', '/v1/users/cli-agent', {
      body: { name: 'A', device: { type: 'sip', uri: 'sip:a@sandbox.invalid' } },
    });
    await server.request('PUT', '/v1/caller-ids/+12125550100', { body: { verified: true } });
    await server.request('PATCH', '/v1/campaigns/cli-camp', {
      body: { agentIds: ['cli-agent'], callerId: '+12125550100' },
    });
    const contact = await server.request<{ id: string }>('PUT', '/v1/contacts/cli-ct', {
      body: { externalId: 'cli-ct', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
    });
    await server.request('POST', '/v1/campaigns/cli-camp/contacts', {
      body: { contactIds: [contact.body.id] },
    });
    const watched = await cli([
      'call',
      '--campaign',
      'cli-camp',
      '--contact',
      'cli-ct',
      '--phone-type',
      'mobile',
      '--watch',
    ]);
    assert.equal(watched.code, 0, watched.stderr);
    const statuses = watched.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[2]);
    assert.equal(statuses[0], 'queued');
    assert.equal(statuses.at(-1), 'completed');
    const id = watched.stdout.split(/\s+/)[1] as string;

    // A direct call obeys the default 08:00–21:00 window in the number's zone: at other hours
    // it is refused, with the reason, as a 422.
    const direct = await cli(['call', '--user', 'cli-agent', '--to', '+12125550106', '--dry-run', '--json']);
    assert.ok([0, 1].includes(direct.code), direct.stderr);
    assert.equal(typeof JSON.parse(direct.stdout).allowed, 'boolean');
    const stays = await server.request<{ id: string }>('PUT', '/v1/contacts/cli-ct-2', {
      body: { externalId: 'cli-ct-2', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550106' }] },
    });
    await server.request('POST', '/v1/campaigns/cli-camp/contacts', {
      body: { contactIds: [stays.body.id] },
    });
    const live = await cli(['call', '--campaign', 'cli-camp', '--contact', 'cli-ct-2', '--json']);
    assert.equal(live.code, 0, live.stderr);
    const liveId = JSON.parse(live.stdout).id as string;
    const cancel = await cli(['calls', 'cancel', liveId]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /is now canceled|cancel requested/);
    assert.equal((await waitForCallStatus(server, liveId, ['canceled', 'completed'])).status, 'canceled');
    const list = await cli(['calls', 'list', '--campaign', 'cli-camp', '--json']);
    assert.deepEqual(
      JSON.parse(list.stdout)
        .map((c: { id: string }) => c.id)
        .sort(),
      [id, liveId].sort(),
    );
    const get = await cli(['calls', 'get', id, '--events']);
    assert.match(get.stdout, /call\.completed/);
  });
});
