import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;

// Valid for the contract schema (the CLI's own check passes); only the server's rules refuse it:
// webhook URLs on loopback or private addresses, with PCONN_WEBHOOK_ALLOW_PRIVATE off.
const FILE = [
  'callerIds:',
  '  "+12125550100": { verified: true, label: Main }',
  'users:',
  '  agent-ada: { name: Ada, device: { type: sip, uri: "sip:ada@sandbox.invalid" } }',
  'trunks:',
  '  carrier: { uri: "sip:127.0.0.1:5060", username: pconn, password: "trunk-secret-1" }',
  'webhooks:',
  '  crm: { url: "http://127.0.0.1:3000/pconn", events: ["call.*"] }',
  '  erp: { url: "http://10.1.2.3/hooks", events: ["*"] }',
  'campaigns:',
  '  spring: { name: Spring, callerId: "+12125550100", agentIds: [agent-ada] }',
  '',
].join('\n');

before(async () => {
  server = await startTestServer({ env: { PCONN_WEBHOOK_ALLOW_PRIVATE: '0' } });
  dir = tempConfigDir();
});
after(() => server.close());

describe('pconn apply checks the whole file with the server before its first write', () => {
  test('refused webhook URLs: every problem listed at once, nothing written', async () => {
    const file = join(dir, 'pconn.yaml');
    writeFileSync(file, FILE);
    const result = await runCli(['apply', '-f', file], { env: serverEnv(server, dir) });
    assert.equal(result.code, 1, result.stdout);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines[0], `error: the server refuses 2 problem(s) in ${file}; nothing was written`);
    assert.match(
      lines[1] ?? '',
      /^ {2}\/webhooks\/crm\/url → Webhook URLs must point at a public address: .*Loopback.*\(hint: .*PCONN_WEBHOOK_ALLOW_PRIVATE=1/,
    );
    assert.match(lines[2] ?? '', /^ {2}\/webhooks\/erp\/url → Webhook URLs must point at a public address/);
    assert.doesNotMatch(result.stdout, /^created /m);
    for (const path of [
      '/v1/caller-ids/+12125550100',
      '/v1/users/agent-ada',
      '/v1/trunks/carrier',
      '/v1/webhooks/crm',
      '/v1/campaigns/spring',
    ]) {
      assert.equal((await server.request('GET', path)).status, 404, `${path} was written`);
    }

    // With the URLs fixed the same file applies in full.
    writeFileSync(
      file,
      FILE.replace('http://127.0.0.1:3000/pconn', 'https://crm.example.com/pconn').replace(
        'http://10.1.2.3/hooks',
        'https://erp.example.com/hooks',
      ),
    );
    const fixed = await runCli(['apply', '-f', file], { env: serverEnv(server, dir) });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(
      fixed.stdout,
      /^created webhooks\/crm\n {2}signing secret \(shown once, store it now\): whsec_/m,
    );
    assert.equal((await server.request('GET', '/v1/users/agent-ada')).status, 200);
  });

  test('PUT ?dryRun=true runs the checks, answers the resource as it would be, keeps nothing', async () => {
    const ok = await server.request<{ id: string; secret?: string }>('PUT', '/v1/webhooks/dry?dryRun=true', {
      body: { url: 'https://hooks.example.com/x', rotateSecret: true },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.id, 'dry');
    assert.equal(ok.body.secret, undefined);
    assert.equal((await server.request('GET', '/v1/webhooks/dry')).status, 404);
    const refused = await server.request<{ errors: Array<{ pointer: string }> }>(
      'PUT',
      '/v1/webhooks/dry?dryRun=true',
      { body: { url: 'http://192.168.1.10/x' } },
    );
    assert.ok([400, 422].includes(refused.status), refused.text);
    assert.equal(refused.body.errors[0]?.pointer, '/url');
  });

  test('--prune of a live campaign is refused before anything is written', async () => {
    await server.request('PUT', '/v1/campaigns/live', { body: { name: 'Live' } });
    await server.request('POST', '/v1/campaigns/live/start');
    const file = join(dir, 'prune.yaml');
    writeFileSync(
      file,
      'users:\n  agent-bob: { name: Bob, device: { type: registered } }\ncampaigns:\n  spring: { name: Spring }\n',
    );
    const result = await runCli(['apply', '-f', file, '--prune'], { env: serverEnv(server, dir) });
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stderr,
      /^ {2}\/campaigns\/live → --prune would delete campaign 'live', which is running; .*\(hint: Stop it first \(pconn campaigns stop live\)/m,
    );
    assert.equal((await server.request('GET', '/v1/users/agent-bob')).status, 404);
    assert.equal((await server.request('GET', '/v1/campaigns/live')).status, 200);
  });
});
