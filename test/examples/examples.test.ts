import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { createReceiver, type PconnWebhookEvent } from '../../examples/webhook-receiver/receiver.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server: TestServer;

/** Runs a program asynchronously (the server lives in this process). */
function runProgram(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  // What `npm start` seeds on a fresh sandbox install: the examples' default campaign.
  await server.request('PUT', '/v1/users/demo-agent', {
    body: { name: 'Demo agent', device: { type: 'sip', uri: 'sip:demo-agent@sandbox.invalid' } },
  });
  await server.request('PUT', '/v1/caller-ids/+12125550100', { body: { verified: true } });
  const campaign = await server.request('PUT', '/v1/campaigns/sandbox-demo', {
    body: {
      name: 'Sandbox demo',
      callerId: '+12125550100',
      agentIds: ['demo-agent'],
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
    },
  });
  assert.equal(campaign.status, 201, campaign.text);
  await server.request('POST', '/v1/campaigns/sandbox-demo/start');
});
after(() => server.close());

const env = () => ({
  PCONN_URL: server.url,
  PCONN_CLIENT_ID: server.adminId,
  PCONN_CLIENT_SECRET: server.adminSecret,
});

/** The fenced blocks of one `## heading` section of README.md, in order, by language. */
function readmeBlocks(heading: string, language: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `README.md has no '## ${heading}' section`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(
    (m) => m[1] ?? '',
  );
}

/** The statuses an example printed, in order. */
const statuses = (out: string) => [...out.matchAll(/^status: (\w+)$/gm)].map((m) => m[1]);

describe('examples/ run green against a live server', () => {
  test('curl/first-call.sh: token, campaign call, poll until completed', async () => {
    const { code, out } = await runProgram('bash', [join(ROOT, 'examples/curl/first-call.sh')], env());
    assert.equal(code, 0, out);
    assert.match(out, /^call call_\w+ queued$/m);
    assert.equal(statuses(out).at(-1), 'completed', out);
  });

  test("README's First requests, run as written, end in a completed call", async () => {
    const [script] = readmeBlocks('First requests', 'sh');
    assert.ok(script, 'no sh block in First requests');
    // As a user pastes it, after setting CLIENT_ID and CLIENT_SECRET; -e stops at the first failure.
    const { code, out } = await runProgram('bash', ['-e', '-o', 'pipefail', '-c', script], {
      PCONN_URL: server.url,
      CLIENT_ID: server.adminId,
      CLIENT_SECRET: server.adminSecret,
    });
    assert.equal(code, 0, out);
    assert.match(out, /^call_\w+: completed$/m, out);
    assert.equal(
      out.trimEnd().split('\n').at(-1),
      'call.queued → call.dialing_user → call.dialing_contact → call.connected → call.completed',
      out,
    );
  });

  test("README's wrong request answers the problem it shows", async () => {
    const [, wrong] = readmeBlocks('First requests', 'sh');
    const [shown] = readmeBlocks('First requests', 'json');
    assert.ok(wrong && shown, 'no wrong-request example in First requests');
    const token = await server.adminToken();
    const { code, out } = await runProgram('bash', ['-e', '-c', wrong], {
      PCONN_URL: server.url,
      TOKEN: token,
    });
    assert.equal(code, 0, out);
    type Problem = {
      code: string;
      status: number;
      errors: Array<{ pointer: string; code: string; hint?: string }>;
    };
    const answer = JSON.parse(out) as Problem;
    const documented = JSON.parse(shown) as Problem;
    assert.equal(answer.code, documented.code);
    assert.equal(answer.status, documented.status);
    const summary = (p: Problem) => p.errors.map((e) => `${e.pointer} ${e.code} ${e.hint}`).sort();
    assert.deepEqual(summary(answer), summary(documented));
  });

  test('python/first_call.py (standard library only)', async () => {
    const { code, out } = await runProgram('python3', [join(ROOT, 'examples/python/first_call.py')], env());
    assert.equal(code, 0, out);
    assert.equal(statuses(out).at(-1), 'completed', out);
  });

  test('python example prints the problem when the campaign is wrong', async () => {
    const { code, out } = await runProgram('python3', [join(ROOT, 'examples/python/first_call.py')], {
      ...env(),
      PCONN_TO: '2125550100',
    });
    assert.equal(code, 1);
    assert.match(out, /Invalid request \(invalid_request\)/);
    assert.match(out, /\/contact\/phoneNumbers\/0\/number: .*\+12125550100/);
  });

  test('typescript/first-call.ts with the SDK', async () => {
    const { code, out } = await runProgram(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'examples/typescript/first-call.ts')],
      env(),
    );
    assert.equal(code, 0, out);
    assert.equal(statuses(out).at(-1), 'completed', out);
  });

  test('webhook-receiver accepts a Standard Webhooks signature and rejects a forged one', async () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const received: PconnWebhookEvent[] = [];
    const receiver = createReceiver(secret, (event) => received.push(event));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pconn`;
      const event = {
        id: 'evt_1',
        type: 'call.completed',
        timestamp: new Date().toISOString(),
        sequence: 5,
        data: { call: { id: 'call_1' } },
      };
      const body = JSON.stringify(event);
      const now = new Date();
      const headers = {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign('msg_1', now, body),
      };
      const ok = await fetch(url, { method: 'POST', headers, body });
      assert.equal(ok.status, 204);
      const replay = await fetch(url, { method: 'POST', headers, body });
      assert.equal(replay.status, 204);
      assert.deepEqual(received, [event], 'delivered once, deduplicated by event id');
      const forged = await fetch(url, { method: 'POST', headers, body: body.replace('call_1', 'call_2') });
      assert.equal(forged.status, 401);
      const unsigned = await fetch(url, { method: 'POST', body });
      assert.equal(unsigned.status, 401);
      assert.equal(received.length, 1);
    } finally {
      receiver.close();
    }
  });
});
