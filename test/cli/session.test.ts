import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { type CliResult, runCli, serverEnv, tempConfigDir } from './run-cli.ts';

/*
 * `pconn session start|show|end` against a live server on the default sandbox telephony, where
 * the agent's device answers at once: a started session reaches `ready`.
 */

let server: TestServer;
let env: Record<string, string>;
const cli = (args: string[]) => runCli(args, { env });

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  // Credentials from the environment: no `pconn login` needed for these commands.
  env = {
    ...serverEnv(server, tempConfigDir()),
  };
  const put = async (path: string, body: unknown) => {
    const res = await server.request('PUT', path, { body });
    assert.ok(res.status < 300, `${path}: ${res.text}`);
  };
  await put('/v1/caller-ids/+12125550100', { verified: true });
  await put('/v1/users/cli-agent', {
    name: 'Agent',
    device: { type: 'sip', uri: 'sip:cli@sandbox.invalid' },
  });
  for (const id of ['cli-spring', 'cli-autumn'])
    await put(`/v1/campaigns/${id}`, {
      name: id,
      callerId: '+12125550100',
      agentIds: ['cli-agent'],
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
    });
  await server.request('POST', '/v1/campaigns/cli-spring/start');
});
after(() => server.close());

/** Runs `session show USER --json` until the session is in `status`. */
async function showUntil(user: string, status: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const shown: CliResult = await cli(['session', 'show', user, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const session = JSON.parse(shown.stdout) as Record<string, unknown>;
    if (session.status === status) return session;
    if (Date.now() > deadline) throw new Error(`session of ${user} stuck: ${shown.stdout}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('pconn session', () => {
  test('start (repeated --campaign) → show ready → update → end → ended', async () => {
    const started = await cli([
      'session',
      'start',
      'cli-agent',
      '--campaign',
      'cli-spring',
      '--campaign',
      'cli-autumn',
    ]);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^started session (ses_\S+) for cli-agent: calling their device$/m);
    assert.match(started.stdout, /^ses_\S+ {2}starting {2}agent cli-agent$/m);
    assert.match(started.stdout, /^ {2}campaigns: cli-spring, cli-autumn$/m);
    const sessionId = /started session (ses_\S+)/.exec(started.stdout)?.[1];

    const ready = await showUntil('cli-agent', 'ready');
    assert.equal(ready.id, sessionId);
    assert.deepEqual(ready.campaignIds, ['cli-spring', 'cli-autumn']);
    const shown = await cli(['session', 'show', 'cli-agent']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^${sessionId} {2}ready {2}agent cli-agent$`, 'm'));
    assert.match(shown.stdout, /^ {2}agent leg: held {3}current call: - {3}calls handled: 0$/m);
    assert.match(shown.stdout, /^ {2}started \S+ {2}ready \S+$/m);

    // Without --campaign the open session is widened to every campaign listing the agent.
    const updated = await cli(['session', 'start', 'cli-agent']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, new RegExp(`^updated session ${sessionId}$`, 'm'));
    assert.match(updated.stdout, /campaigns: \(every campaign listing the agent\)/);

    const ending = await cli(['session', 'end', 'cli-agent']);
    assert.equal(ending.code, 0, ending.stderr);
    assert.match(
      ending.stdout,
      /end requested: session ses_\S+ is ending; the agent is hung up after the current call/,
    );
    const ended = await showUntil('cli-agent', 'ended');
    assert.equal(ended.endReason, 'ended_by_request');
    const again = await cli(['session', 'end', 'cli-agent']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^session ${sessionId} is ended$`, 'm'));
    assert.match(again.stdout, /^ {2}started \S+ {2}ready \S+ {2}ended \S+ \(ended_by_request\b.*\)$/m);
  });

  test('an unknown user: exit 1 with the problem (human and --json); a missing USER is usage (2)', async () => {
    const refused = await cli(['session', 'start', 'nobody']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^error: .* \(not_found, HTTP 404\)$/m);
    assert.match(refused.stderr, /request id: \S+ \(pconn explain \S+\)/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');

    const json = await cli(['session', 'show', 'nobody', '--json']);
    assert.equal(json.code, 1);
    const problem = JSON.parse(json.stderr);
    assert.equal(problem.code, 'not_found');
    assert.equal(problem.resource, 'user');

    const ghost = await cli(['session', 'start', 'cli-agent', '--campaign', 'cli-spring,ghost']);
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /\(campaign_not_found, HTTP 422\)/);
    assert.match(ghost.stderr, /- \/campaignIds\/1: /, 'comma-separated ids are sent one by one');

    const usage = await cli(['session', 'end']);
    assert.equal(usage.code, 2);
  });
});
