// The campaign dialing settings through every client: config as code (apply, then plan shows no
// changes; one changed threshold is exactly one diff line), the SDK (types and the ledger) and
// the CLI's campaign output.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeWav } from '../../src/media/wav-writer.ts';
import { PconnClient } from '../../src/sdk/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
const cli = (args: string[]) => runCli(args, { env: serverEnv(server, dir) });

const yaml = (maxWords: number) => `
campaigns:
  outbound-predictive:
    name: Outbound predictive
    dialingMode: predictive
    jurisdiction: uk_ofcom
    wrapUpSeconds: 20
    pacing: { abandonRateTarget: 0.02, maxLinesPerAgent: 4 }
    answerDetection:
      enabled: true
      machineAction: leave_message
      maxWords: ${maxWords}
    abandonPromptId: abandon-en
    machinePromptId: machine-en
`;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  dir = tempConfigDir();
  const audio = Buffer.from(writeWav(new Int16Array(8000).fill(800), 8000, 'pcm16'));
  for (const id of ['abandon-en', 'machine-en']) {
    const put = await server.request('PUT', `/v1/prompts/${id}`, {
      rawBody: audio,
      headers: { 'content-type': 'audio/wav' },
    });
    assert.equal(put.status, 201, put.text);
  }
});
after(() => server.close());

describe('dialing settings through config as code, the SDK and the CLI', () => {
  test('apply stores them; plan then shows no changes; a changed threshold is one diff line', async () => {
    const file = join(dir, 'pconn.yaml');
    writeFileSync(file, yaml(4));
    const applied = await cli(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const again = await cli(['plan', '-f', file, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { changes: [], summary: { create: 0, update: 0, delete: 0 } });

    writeFileSync(file, yaml(6));
    const plan = await cli(['plan', '-f', file]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^ {4}~ answerDetection\.maxWords: 4 → 6$/m);
    assert.match(plan.stdout, /Plan: 0 to create, 1 to change, 0 to delete\./);
  });

  test('a file breaking a rule is refused before anything is written, naming the field', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, yaml(4).replace('abandonPromptId: abandon-en', 'abandonPromptId: missing-prompt'));
    const applied = await cli(['apply', '-f', file]);
    assert.notEqual(applied.code, 0, applied.stdout);
    assert.match(applied.stderr + applied.stdout, /abandonPromptId/);
  });

  test('the SDK reads the settings and the ledger; the CLI shows them', async () => {
    const sdk = new PconnClient({
      baseUrl: server.url,
      clientId: server.adminId,
      clientSecret: server.adminSecret,
    });
    const campaign = await sdk.campaigns.get('outbound-predictive');
    assert.equal(campaign.jurisdiction, 'uk_ofcom');
    assert.deepEqual(campaign.pacing, { abandonRateTarget: 0.02, maxLinesPerAgent: 4 });
    assert.equal(campaign.answerDetection.machineAction, 'leave_message');
    const ledger = await sdk.campaigns.abandonment('outbound-predictive', {
      from: '2026-01-01',
      to: '2026-01-31',
    });
    assert.equal(ledger.days.length, 31);
    assert.equal(ledger.cap, 0.03);

    const shown = await cli(['campaigns', 'get', 'outbound-predictive']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /pacing: ≤ 2\.0 % abandoned, ≤ 4 lines per agent {3}jurisdiction: uk_ofcom {3}wrap-up: 20 s/,
    );
    assert.match(shown.stdout, /answer detection: on, machine → leave_message {3}abandon prompt: abandon-en/);
    const ledger2 = await cli([
      'campaigns',
      'abandonment',
      'outbound-predictive',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-31',
    ]);
    assert.equal(ledger2.code, 0, ledger2.stderr);
    assert.match(
      ledger2.stdout,
      /^outbound-predictive {2}uk_ofcom {2}cap 3\.00 % {2}\(UTC days 2026-01-01 … 2026-01-31\)$/m,
    );
    assert.match(ledger2.stdout, /^30 days +0 +0 +0\.00 %$/m);
    const bad = await cli(['campaigns', 'abandonment', 'outbound-predictive', '--from', '2026-02-30']);
    assert.notEqual(bad.code, 0, bad.stdout);
    assert.match(bad.stderr + bad.stdout, /'from': '2026-02-30' is not a calendar day/);
  });
});
