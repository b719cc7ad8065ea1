/**
 * `npm run bench`: pconn's performance goals (shared/bench.md), each printed as
 * `<name>: <figure> (<goal>)` and measured against a baseline taken in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import type { LegRequest } from '../src/domain/telephony.ts';
import { createPconn, type Pconn } from '../src/main.ts';
import { SandboxDriver } from '../src/telephony/sandbox/sandbox-driver.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;

async function load(
  url: string,
  request: autocannon.Request,
  headers: Record<string, string>,
  body: string,
): Promise<{ rps: number; errors: number; non2xx: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    method: 'POST',
    headers,
    body,
    requests: [request],
  });
  return { rps: result.requests.average, errors: result.errors, non2xx: result.non2xx };
}

async function bareFastify(body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify();
  app.post('/v1/campaigns/:id/calls', async (_request, reply) =>
    reply.code(202).type('application/json').send(body),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
}

async function startPconn(
  env: Record<string, string>,
  onDial?: (leg: LegRequest) => void,
): Promise<{ pconn: Pconn; url: string; token: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pconn-bench-'));
  const config = loadConfig({
    PORT: '0',
    PCONN_DATA_DIR: join(dir, 'data'),
    PCONN_BOOTSTRAP_CLIENT_ID: 'bench',
    PCONN_BOOTSTRAP_CLIENT_SECRET: 'bench-secret-0123456789',
    PCONN_RATE_LIMIT_RPS: '0',
    ...env,
  });
  const pconn = await createPconn(config, {
    logger: pino({ level: 'warn' }),
    driver: new SandboxDriver({ timeScale: 0.01, onDial }),
  });
  await pconn.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(pconn.app.server.address() as AddressInfo).port}`;
  const tokenResponse = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'bench',
      client_secret: 'bench-secret-0123456789',
    }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  await call('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  for (let i = 0; i < 60; i++)
    await call('PUT', `/v1/users/agent-${i}`, {
      name: `Agent ${i}`,
      device: { type: 'sip', uri: `sip:agent${i}@127.0.0.1` },
    });
  await call('PUT', '/v1/campaigns/bench', {
    name: 'Bench',
    callerId: '+14155550100',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    agentIds: Array.from({ length: 60 }, (_, i) => `agent-${i}`),
    maxAttemptsPerContact: 50,
    retryPolicy: { minRedialGapSeconds: 0 },
  });
  await call('POST', '/v1/campaigns/bench/start');
  await call('PUT', '/v1/contacts/bench-contact', {
    externalId: 'bench-contact',
    timezone: 'UTC',
    phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
  });
  await call('POST', '/v1/campaigns/bench/contacts', { contactIds: ['bench-contact'] });
  return { pconn, url, token, dir };
}

async function acceptRatio(): Promise<string> {
  const body = JSON.stringify({ contactId: 'bench-contact', reason: 'bench' });
  const bare = await bareFastify(
    JSON.stringify({ id: 'call_x', status: 'queued', padding: 'x'.repeat(600) }),
  );
  const baseline = await load(
    `${bare.url}/v1/campaigns/bench/calls`,
    {},
    { 'content-type': 'application/json' },
    body,
  );
  await bare.close();
  const node = await startPconn({ PCONN_DIALER: 'off' });
  let n = 0;
  const ours = await load(
    `${node.url}/v1/campaigns/bench/calls`,
    {
      setupRequest: (req) => ({
        ...req,
        headers: { ...req.headers, 'idempotency-key': `k-${process.pid}-${n++}` },
      }),
    },
    { 'content-type': 'application/json', authorization: `Bearer ${node.token}` },
    body,
  );
  await node.pconn.close();
  await rm(node.dir, { recursive: true, force: true });
  const ratio = ours.rps / baseline.rps;
  return `accept_ratio: ${ratio.toFixed(3)} (goal ≥ 0.25; pconn ${ours.rps.toFixed(0)} req/s with ${ours.non2xx} non-2xx, bare Fastify ${baseline.rps.toFixed(0)} req/s)`;
}

async function dialLatency(): Promise<string> {
  const accepted = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const dialled = new Map<string, number>();
  const node = await startPconn({ PCONN_DIALER_POLL_MS: '20' }, (leg) => {
    if (leg.legId.endsWith('/1/agent')) dialled.set(leg.legId.split('/')[0] ?? '', performance.now());
  });
  const rate = 50;
  const total = rate * DURATION;
  const headers = { authorization: `Bearer ${node.token}`, 'content-type': 'application/json' };
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(
      fetch(`${node.url}/v1/campaigns/bench/calls`, {
        method: 'POST',
        headers,
        // A contact per call: the attempt cap and redial gap apply per contact.
        body: JSON.stringify({
          contact: {
            externalId: `latency-${i}`,
            timezone: 'UTC',
            phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
          },
        }),
      }).then(async (res) => {
        const json = (await res.json()) as { id?: string };
        if (res.status === 202 && json.id) {
          accepted.set(json.id, performance.now());
          sentAt.set(json.id, sent);
        }
      }),
    );
  }
  await Promise.all(pending);
  await new Promise((r) => setTimeout(r, 2000));
  await node.pconn.close();
  await rm(node.dir, { recursive: true, force: true });
  // A dial can start before the client has read its 202 (the dialer is woken by the commit): 0.
  const latencies = [...accepted].flatMap(([id, at]) => {
    const dial = dialled.get(id);
    return dial === undefined ? [] : [Math.max(0, dial - at)];
  });
  latencies.sort((a, b) => a - b);
  const fromRequest = [...sentAt].flatMap(([id, at]) => {
    const dial = dialled.get(id);
    return dial === undefined ? [] : [dial - at];
  });
  fromRequest.sort((a, b) => a - b);
  const pct = (values: number[], q: number) =>
    (values[Math.floor(values.length * q)] ?? Number.NaN).toFixed(1);
  return `dial_latency_p99: ${pct(latencies, 0.99)} ms (goal ≤ 50 ms; ${latencies.length} of ${total} calls dialled; from the request being sent: p50 ${pct(fromRequest, 0.5)} ms, p99 ${pct(fromRequest, 0.99)} ms)`;
}

const only = process.argv[2];
const measures: Record<string, () => Promise<string>> = {
  accept_ratio: acceptRatio,
  dial_latency_p99: dialLatency,
};
for (const [name, run] of Object.entries(measures)) {
  if (only && only !== name) continue;
  process.stdout.write(`${await run()}\n`);
}
process.stdout.write(
  'accept_ratio_pg, sip_cps_ratio, sip_rss_delta, events_lag_p99, scale_ratio: not measured yet (their issues are open)\n',
);
