import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { ROOT, runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
const EXAMPLE = join(ROOT, 'examples/pconn.yaml');
const cli = (args: string[]) =>
  runCli(args, {
    env: {
      ...serverEnv(server, dir),
      TRUNK_PASSWORD: 'trunk-secret-1',
      AGENT_ALAN_SIP_PASSWORD: 'alan-sip-secret',
    },
  });

before(async () => {
  server = await startTestServer();
  dir = tempConfigDir();
});
after(() => server.close());

describe('pconn plan / apply (config as code)', () => {
  test('plan lists everything to create; apply creates it; plan then shows no changes', async () => {
    const first = await cli(['plan', '-f', EXAMPLE]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^\+ campaigns\/spring-renewals$/m);
    assert.match(first.stdout, /^ {4}\+ callingWindow\.start: "09:00"$/m);
    assert.match(first.stdout, /^ {4}\+ password: "\(write-only, set\)"$/m);
    assert.match(first.stdout, /^~ phoneTypes\/tenant$|Plan: 6 to create/m);

    const applied = await cli(['apply', '-f', EXAMPLE]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(
      applied.stdout,
      /^created webhooks\/crm\n {2}signing secret \(shown once, store it now\): whsec_/m,
    );
    assert.match(applied.stdout, /Apply complete/);
    const trunk = await server.request<{ hasPassword: boolean }>('GET', '/v1/trunks/carrier');
    assert.equal(trunk.body.hasPassword, true);
    const campaign = await server.request<{ agentIds: string[] }>('GET', '/v1/campaigns/spring-renewals');
    assert.deepEqual(campaign.body.agentIds, ['agent-ada', 'agent-alan']);

    const again = await cli(['plan', '-f', EXAMPLE, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { changes: [], summary: { create: 0, update: 0, delete: 0 } });
    const reapplied = await cli(['apply', '-f', EXAMPLE]);
    assert.match(reapplied.stdout, /No changes: the server matches the file\./);
  });

  test('changing one field shows exactly that diff, and apply makes it so', async () => {
    const changed = join(dir, 'changed.yaml');
    writeFileSync(
      changed,
      readFileSync(EXAMPLE, 'utf8').replace('name: Spring renewals', 'name: Spring renewals 2026'),
    );
    const plan = await cli(['plan', '-f', changed]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(
      plan.stdout,
      [
        '~ campaigns/spring-renewals',
        '    ~ name: "Spring renewals" → "Spring renewals 2026"',
        '',
        'Plan: 0 to create, 1 to change, 0 to delete.',
        '',
      ].join('\n'),
    );
    assert.equal((await cli(['apply', '-f', changed])).code, 0);
    const campaign = await server.request<{ name: string }>('GET', '/v1/campaigns/spring-renewals');
    assert.equal(campaign.body.name, 'Spring renewals 2026');
  });

  test('--prune deletes resources of declared kinds that the file does not list', async () => {
    await server.request('PUT', '/v1/users/stray', {
      body: { name: 'Stray', device: { type: 'registered' } },
    });
    // A supervisor (like the bootstrap console `admin`) is a person's account: never pruned.
    await server.request('PUT', '/v1/users/a-supervisor', { body: { name: 'Sup', role: 'supervisor' } });
    const plan = await cli(['plan', '-f', EXAMPLE, '--prune', '--json']);
    const deletes = JSON.parse(plan.stdout).changes.filter((c: { action: string }) => c.action === 'delete');
    assert.deepEqual(
      deletes.map((c: { kind: string; id: string }) => `${c.kind}/${c.id}`),
      ['users/stray'],
    );
    const applied = await cli(['apply', '-f', EXAMPLE, '--prune']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^deleted users\/stray$/m);
    assert.equal((await server.request('GET', '/v1/users/stray')).status, 404);
    assert.equal((await server.request('GET', '/v1/users/a-supervisor')).status, 200, 'the supervisor stays');
  });

  test('a wrong file is refused before anything is sent, with every pointer and hint', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'campaigns:\n  c1:\n    nmae: X\n    callerId: "2125550100"\nwidgets: {}\nusers:\n  u1: { name: U, device: { type: sip, uri: "sip:u@x" } }\n',
    );
    const result = await cli(['apply', '-f', bad]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a valid pconn configuration \(4 problem\(s\)\)/);
    assert.match(result.stderr, /^ {2}\/widgets → Unknown kind 'widgets'\. \(hint: Kinds: /m);
    assert.match(
      result.stderr,
      /^ {2}\/campaigns\/c1\/nmae → Unknown field 'nmae'\. \(hint: Did you mean 'name'\?\)$/m,
    );
    assert.match(
      result.stderr,
      /^ {2}\/campaigns\/c1\/callerId → "2125550100" is not a valid E\.164 .*\(hint: Did you mean '\+12125550100'\?\)$/m,
    );
    assert.equal((await server.request('GET', '/v1/users/u1')).status, 404);
    const missing = await cli(['plan', '-f', join(dir, 'none.yaml')]);
    assert.equal(missing.code, 2);
  });

  test('plan shows one line per field and never prints a secret back', async () => {
    const secrets = join(dir, 'secrets.yaml');
    writeFileSync(
      secrets,
      [
        'users:',
        '  alan: { name: Alan, device: { type: registered, username: alan, password: "hunter2" } }',
        '  bob: { name: Bob, device: { type: pager, number: "+12125550100" } }',
        'trunks:',
        '  carrier: { uri: "sip:127.0.0.1:5060", password: 4242, cps: 0 }',
        'webhooks:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
        '  crm: { url: "http://127.0.0.1:3000/pconn", events: ["call.*"], description: "${WEBHOOK_TOKEN}" }',
        '',
      ].join('\n'),
    );
    const env = { ...serverEnv(server, dir), WEBHOOK_TOKEN: 'x'.repeat(501) };
    const result = await runCli(['plan', '-f', secrets], { env });
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.deepEqual(lines, [
      `error: ${secrets} is not a valid pconn configuration (5 problem(s))`,
      '  /users/alan/device/password → (hidden) is too short: at least 8 character(s).',
      `  /users/bob/device/type → "pager" must be one of 'sip', 'phone', 'registered'.`,
      '  /trunks/carrier/password → (hidden) has the wrong type: expected string.',
      '  /trunks/carrier/cps → 0 is too small: it must be greater than 0.',
      '  /webhooks/crm/description → The value is too long: at most 500 character(s).',
    ]);
    assert.doesNotMatch(result.stderr, /hunter2|4242/);
    const json = await runCli(['plan', '-f', secrets, '--json'], { env });
    assert.doesNotMatch(json.stderr, /hunter2|4242/);
    assert.equal(JSON.parse(json.stderr).errors[0].pointer, '/users/alan/device/password');
  });

  test('plan and apply, --json included, never print a secret value of the file', async () => {
    const file = join(dir, 'tokens.yaml');
    writeFileSync(
      file,
      [
        'trunks:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
        '  second: { uri: "sip:127.0.0.1:5070", username: pconn, password: "${TRUNK_PASSWORD}" }',
        'campaigns:',
        '  with-meta: { name: Meta, metadata: { crmApiToken: "tok-12345", team: blue } }',
        '',
      ].join('\n'),
    );
    const plan = await cli(['plan', '-f', file]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^ {4}\+ password: "\(write-only, set\)"$/m);
    assert.match(plan.stdout, /^ {4}\+ metadata\.crmApiToken: "\(hidden\)"$/m);
    assert.match(plan.stdout, /^ {4}\+ metadata\.team: "blue"$/m);
    const planJson = await cli(['plan', '-f', file, '--json']);
    const applied = await cli(['apply', '-f', file, '--json']);
    assert.equal(applied.code, 0, applied.stderr);
    for (const output of [plan, planJson, applied]) {
      assert.doesNotMatch(output.stdout + output.stderr, /trunk-secret-1|tok-12345/);
    }
    assert.equal(JSON.parse(planJson.stdout).changes[0].body.password, '(hidden)');
    const campaign = await server.request<{ metadata: Record<string, string> }>(
      'GET',
      '/v1/campaigns/with-meta',
    );
    assert.equal(campaign.body.metadata.crmApiToken, 'tok-12345');
  });
});
