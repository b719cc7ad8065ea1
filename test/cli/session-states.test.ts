import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { type CliResult, runCli, serverEnv, tempConfigDir } from './run-cli.ts';

/*
 * `pconn session offer|accept|skip|pause|resume USER` and `pconn session disposition CALL`
 * against a live server on the sandbox telephony, with a preview campaign.
 */

type Json = Record<string, unknown>;
let server: TestServer;
let env: Record<string, string>;
const cli = (args: string[]) => runCli(args, { env });

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01', PCONN_DIALER_POLL_MS: '20' } });
  env = { ...serverEnv(server, tempConfigDir()) };
  const put = async (path: string, body: unknown) => {
    const res = await server.request('PUT', path, { body });
    assert.ok(res.status < 300, `${path}: ${res.text}`);
  };
  await put('/v1/caller-ids/+12125550100', { verified: true });
  await put('/v1/users/cli-pv', {
    name: 'Agent',
    device: { type: 'sip', uri: 'sip:cli-pv@sandbox.invalid' },
  });
  await put('/v1/campaigns/cli-look', {
    name: 'cli-look',
    callerId: '+12125550100',
    agentIds: ['cli-pv'],
    dialingMode: 'preview',
    wrapUpSeconds: 600,
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
  });
  await server.request('POST', '/v1/campaigns/cli-look/start');
});
after(() => server.close());

async function previewCall(n: number): Promise<string> {
  const res = await server.request<Json>('POST', '/v1/campaigns/cli-look/calls', {
    body: {
      contact: { externalId: `cli-pv-${n}`, phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
    },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.id as string;
}

async function offerShown(callId: string): Promise<Json> {
  return waitFor(
    async () => {
      const shown: CliResult = await cli(['session', 'offer', 'cli-pv', '--json']);
      if (shown.code !== 0) return undefined;
      const offer = JSON.parse(shown.stdout) as Json;
      return offer.callId === callId ? offer : undefined;
    },
    { timeout: 20_000, interval: 100, what: `the offer of ${callId}` },
  );
}

test('offer → accept → disposition; skip; pause and resume, from the command line', async () => {
  assert.equal((await cli(['session', 'start', 'cli-pv'])).code, 0);
  await waitFor(
    async () => (await server.request<Json>('GET', '/v1/users/cli-pv/session')).body.status === 'ready',
    { timeout: 20_000, what: 'the session ready' },
  );
  const none = await cli(['session', 'offer', 'cli-pv']);
  assert.notEqual(none.code, 0, 'no offer yet');
  assert.match(none.stderr, /no call offered/i);

  const first = await previewCall(1);
  await offerShown(first);
  const accepted = await cli(['session', 'accept', 'cli-pv']);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, new RegExp(`${first}\\s+accepted`));
  await waitFor(
    async () => (await server.request<Json>('GET', '/v1/users/cli-pv/session')).body.state === 'wrap_up',
    { timeout: 20_000, what: 'wrap-up after the call' },
  );
  const disposed = await cli(['session', 'disposition', first, '--code', 'sale']);
  assert.equal(disposed.code, 0, disposed.stderr);
  assert.match(disposed.stdout, /disposition sale/);

  const second = await previewCall(2);
  await offerShown(second);
  const skipped = await cli(['session', 'skip', 'cli-pv', '--reason', 'not today']);
  assert.equal(skipped.code, 0, skipped.stderr);

  const paused = await cli(['session', 'pause', 'cli-pv', '--reason', 'lunch', '--json']);
  assert.equal(paused.code, 0, paused.stderr);
  assert.equal((JSON.parse(paused.stdout) as Json).state, 'paused');
  const resumed = await cli(['session', 'resume', 'cli-pv', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as Json).state, 'available');
});
