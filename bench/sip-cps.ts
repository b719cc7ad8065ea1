/**
 * sip_cps_ratio (shared/bench.md): bridged calls per second through pconn's SIP driver, with
 * sipp as both the agents' phones and the contacts' trunk, divided by what sipp UAC → sipp UAS
 * manages on the same machine in the same run. Both runs must end with 0 failed calls.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createPconn } from '../src/main.ts';
import type { SipDriver } from '../src/telephony/sip-driver.ts';
import { freeUdpPort } from '../test/e2e/support/sipp.ts';

const SCENARIOS = fileURLToPath(new URL('../test/e2e/scenarios/', import.meta.url));
const CALLS = Number(process.env.BENCH_SIP_CALLS ?? 300);
const AGENTS = 100;

/** Runs sipp until it exits; resolves with its exit code. */
function runSipp(args: string[]): { done: Promise<number | null>; kill: () => void } {
  const child = spawn('sipp', [...args, '-nostdin', '-i', '127.0.0.1'], { stdio: 'ignore' });
  return {
    done: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    kill: () => child.kill('SIGKILL'),
  };
}

/** sipp's built-in UAC → UAS, as fast as it goes (500 calls in flight at most). */
async function baselineCps(): Promise<{ cps: number; ok: boolean }> {
  const port = await freeUdpPort();
  const uas = runSipp(['-sn', 'uas', '-p', String(port)]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const calls = CALLS * 10;
  const started = performance.now();
  const uac = runSipp([
    '-sn',
    'uac',
    '-p',
    String(await freeUdpPort()),
    '-m',
    String(calls),
    '-r',
    '5000',
    '-l',
    '500',
    '-d',
    '0',
    `127.0.0.1:${port}`,
  ]);
  const code = await uac.done;
  const seconds = (performance.now() - started) / 1000;
  uas.kill();
  return { cps: calls / seconds, ok: code === 0 };
}

/** Bridged calls through pconn: every call rings an agent sipp, then a contact sipp that hangs up. */
async function pconnCps(): Promise<{ cps: number; ok: boolean; detail: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pconn-bench-sip-'));
  const config = loadConfig({
    PORT: '0',
    PCONN_DATA_DIR: join(dir, 'data'),
    PCONN_BOOTSTRAP_CLIENT_ID: 'bench',
    PCONN_BOOTSTRAP_CLIENT_SECRET: 'bench-secret-0123456789',
    PCONN_RATE_LIMIT_RPS: '0',
    PCONN_TELEPHONY: 'sip',
    PCONN_SIP_LISTEN: 'udp://127.0.0.1:0',
    PCONN_DIALER_POLL_MS: '20',
    PCONN_DIALER_BATCH: '200',
  });
  const pconn = await createPconn(config, { logger: pino({ level: 'warn' }) });
  await pconn.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(pconn.app.server.address() as AddressInfo).port}`;
  const agentPort = await freeUdpPort();
  const contactPort = await freeUdpPort();
  const agent = runSipp([
    '-sf',
    join(SCENARIOS, 'agent-answers.xml'),
    '-p',
    String(agentPort),
    '-m',
    String(CALLS),
  ]);
  const contact = runSipp([
    '-sf',
    join(SCENARIOS, 'contact-hangs-up.xml'),
    '-p',
    String(contactPort),
    '-m',
    String(CALLS),
  ]);
  try {
    const token = await tokenFor(url);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    await call('PUT', '/v1/caller-ids/+14155550100', { verified: true });
    await call('PUT', '/v1/trunks/default', {
      uri: `sip:127.0.0.1:${contactPort}`,
      maxConcurrent: 1000,
      cps: 1000,
    });
    for (let i = 0; i < AGENTS; i++)
      await call('PUT', `/v1/users/agent-${i}`, {
        name: `Agent ${i}`,
        device: { type: 'sip', uri: `sip:agent${i}@127.0.0.1:${agentPort}` },
      });
    await call('PUT', '/v1/campaigns/bench', {
      name: 'Bench',
      callerId: '+14155550100',
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
      agentIds: Array.from({ length: AGENTS }, (_, i) => `agent-${i}`),
      maxAttemptsPerContact: 1,
    });
    await call('POST', '/v1/campaigns/bench/start');
    const started = performance.now();
    for (let i = 0; i < CALLS; i += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, CALLS - i) }, (_, j) =>
          call('POST', '/v1/campaigns/bench/calls', {
            contact: {
              externalId: `sip-${i + j}`,
              timezone: 'UTC',
              phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
            },
          }),
        ),
      );
    const codes = await Promise.race([
      Promise.all([agent.done, contact.done]),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 120_000)),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const completed = await call('GET', '/v1/calls?campaignId=bench&status=completed&limit=200');
    const stats = (pconn.driver as SipDriver).address;
    return {
      cps: CALLS / seconds,
      ok: codes?.every((code) => code === 0) ?? false,
      detail: `${CALLS} calls, sipp exit ${codes ? codes.join('/') : 'timeout'}, first page completed ${(completed.data as unknown[]).length}, SIP port ${stats.port}`,
    };
  } finally {
    agent.kill();
    contact.kill();
    await pconn.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function tokenFor(url: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'bench',
      client_secret: 'bench-secret-0123456789',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The sip_cps_ratio line of `npm run bench`. */
export async function sipCpsRatio(): Promise<string> {
  const baseline = await baselineCps();
  const ours = await pconnCps();
  const ratio = ours.cps / baseline.cps;
  const failures = baseline.ok && ours.ok ? '0 failures' : 'FAILED CALLS (see sipp exit codes)';
  return `sip_cps_ratio: ${ratio.toFixed(3)} (goal ≥ 0.5; pconn ${ours.cps.toFixed(1)} bridged calls/s, sipp→sipp ${baseline.cps.toFixed(0)} calls/s; ${failures}; ${ours.detail})`;
}
