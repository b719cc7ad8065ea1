import assert from 'node:assert/strict';
import { exec, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';

const sh = promisify(exec);
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `npm start` (tsx src/main.ts) and resolves once it printed its welcome. */
function start(dataDir: string, port: number) {
  const child = spawn('node', ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PCONN_DATA_DIR: dataDir,
      PORT: String(port),
      PCONN_LOG_LEVEL: 'warn',
      PCONN_BOOTSTRAP_CLIENT_ID: '',
      PCONN_BOOTSTRAP_CLIENT_SECRET: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // The welcome ends with the events curl (first start) or the token hint (restart).
      if (/listening on[\s\S]*(CALL_ID from the answer above|Get a token: .*)\n/.test(stdout))
        resolve(stdout);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

test('fresh start prints the admin client and a curl that gets a token; restart keeps the store; SIGTERM exits cleanly', {
  timeout: 120_000,
}, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pconn-start-'));
  dirs.push(dataDir);
  const port = await freePort();
  const first = start(join(dataDir, 'data'), port);
  const output = await first.ready;
  assert.match(output, /client secret: \S+/);
  const curl = output.split('\n').find((line) => line.trim().startsWith('curl '));
  assert.ok(curl, output);
  const { stdout } = await sh(curl.trim());
  const token = JSON.parse(stdout) as { access_token: string; token_type: string; scope: string };
  assert.equal(token.token_type, 'Bearer');
  assert.ok(token.scope.split(' ').includes('calls:write'));
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  const created = await fetch(`http://127.0.0.1:${port}/v1/campaigns`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'survives restart' }),
  });
  assert.equal(created.status, 201);
  const { id } = (await created.json()) as { id: string };
  // The printed first call works verbatim and runs through the sandbox to completion.
  const tokenLine = output.split('\n').find((line) => line.trim().startsWith('TOKEN='));
  const callLine = output.split('\n').find((line) => line.trim().startsWith('curl -s -X POST'));
  assert.ok(tokenLine && callLine, output);
  const placed = await sh(`${tokenLine.trim()}\n${callLine.trim()}`, { shell: '/bin/bash' });
  const call = JSON.parse(placed.stdout) as { id: string; status: string; sandbox: boolean };
  assert.equal(call.status, 'queued', placed.stdout);
  assert.equal(call.sandbox, true);
  const deadline = Date.now() + 30_000;
  let events: string[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/calls/${call.id}/events`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    events = ((await res.json()) as { data: Array<{ type: string }> }).data.map((e) => e.type);
    if (events.includes('call.completed') || events.includes('call.failed')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(events, [
    'call.queued',
    'call.dialing_user',
    'call.dialing_contact',
    'call.connected',
    'call.completed',
  ]);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  const second = start(join(dataDir, 'data'), port);
  const again = await second.ready;
  assert.doesNotMatch(again, /client secret:/, 'the secret is printed only on first start');
  const read = await fetch(`http://127.0.0.1:${port}/v1/campaigns/${id}`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  });
  assert.equal(read.status, 200, 'tokens and data survive a restart');
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});

test('a bad setting stops start-up with a message naming it', async () => {
  const child = spawn('node', ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PORT: 'eighty' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /PORT must be an integer/);
  assert.ok(!stderr.includes('    at '));
});
