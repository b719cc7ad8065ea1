/**
 * idle_rss (shared/bench.md): the memory a fresh embedded node holds once it has served its first
 * sandbox call — started with `npm start`'s own command line, read from package.json (the build,
 * then the node with its flags and environment; the embedded store, sandbox telephony, a fresh
 * data dir), the call placed as its welcome banner says. npm itself is left out, as it is a
 * launcher the node does not need (`npm start` is the one command people type; the script is what
 * it runs). The figure is the RSS summed over the whole process tree: the shell if it stays, the
 * node, and any process the store or anything else runs in (threads share their process's RSS,
 * so they are in it already).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processTree } from './support/process-tree.ts';
import { startScript } from './support/start-script.ts';

const MB = 1024 * 1024;
const GOAL_MB = 250;
const REPO = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves with the first match of `pattern` in the child's output so far; rejects if it exits first. */
function awaitOutput(child: ChildProcess, output: () => string, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output());
      if (match) {
        child.stdout?.off('data', check);
        resolve(match);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) =>
      reject(new Error(`pconn exited with ${code} before printing ${pattern}:\n${output()}`)),
    );
    check();
  });
}

/** A command line with each path cut to its last part: `node tsx main.ts`, `node preflight.cjs …`. */
const shortCommand = (command: string) =>
  command
    .split(' ')
    .map((arg) => arg.split('/').at(-1))
    .join(' ');

/** Stops the tree: SIGTERM (to the node: the script execs it), SIGKILL to every process left after 15 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const tree = await processTree(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const { pid } of tree) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

/** The idle_rss line of `npm run bench`. */
export async function idleRss(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pconn-idle-rss-'));
  const port = await freePort();
  // The node's own settings only: none of this shell's PCONN_*/DATABASE_URL leak into it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('PCONN_') && key !== 'DATABASE_URL'),
  );
  // As npm runs a script: through sh, with node_modules/.bin on the PATH.
  const path = `${join(REPO, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  const child = spawn('sh', ['-c', startScript()], {
    cwd: REPO,
    env: {
      ...env,
      PATH: path,
      PORT: String(port),
      PCONN_DATA_DIR: join(dir, 'data'),
      PCONN_TELEPHONY: 'sandbox',
      PCONN_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  try {
    const [, clientId, secret] = (await awaitOutput(
      child,
      () => output,
      /client id:\s+(\S+)\n\s+client secret:\s+(\S+)\n/,
    )) as unknown as [string, string, string];
    const url = `http://127.0.0.1:${port}`;
    const tokenResponse = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // The first call of the welcome banner: campaign sandbox-demo, a number that answers at once.
    const placed = await fetch(`${url}/v1/campaigns/sandbox-demo/calls`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        contact: { externalId: 'demo-1', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550123' }] },
      }),
    });
    const { id } = (await placed.json()) as { id?: string };
    if (placed.status !== 202 || !id) throw new Error(`first sandbox call: ${placed.status}`);
    let status = '';
    const deadline = Date.now() + 60_000;
    while (!['completed', 'failed', 'canceled', 'blocked'].includes(status)) {
      if (Date.now() > deadline) throw new Error(`first sandbox call still ${status} after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const res = await fetch(`${url}/v1/calls/${id}`, { headers });
      status = ((await res.json()) as { status: string }).status;
    }
    // Idle: five readings a second apart once the call has ended; the figure is their median
    // (a reading can catch garbage the next collection frees), the range is printed beside it.
    const readings: { total: number; tree: Awaited<ReturnType<typeof processTree>> }[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const tree = await processTree(child.pid as number);
      readings.push({ total: tree.reduce((sum, p) => sum + p.rss, 0), tree });
    }
    readings.sort((a, b) => a.total - b.total);
    const { total, tree } = readings[2] as (typeof readings)[number];
    const range = `${((readings[0]?.total ?? 0) / MB).toFixed(0)}–${((readings[4]?.total ?? 0) / MB).toFixed(0)} MB`;
    const verdict = total / MB <= GOAL_MB ? 'within goal' : 'OVER GOAL';
    const parts = tree
      .map((p) => `${shortCommand(p.command)} ${(p.rss / MB).toFixed(0)} MB, ${p.threads} threads`)
      .join(' + ');
    return `idle_rss: ${(total / MB).toFixed(0)} MB (goal ≤ ${GOAL_MB} MB, ${verdict}; fresh embedded node started by npm start's script, after its first sandbox call (${status}); median of 5 readings 1 s apart, range ${range}; ${tree.length} processes: ${parts})`;
  } finally {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}
