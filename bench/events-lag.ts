/**
 * events_lag_p99 (shared/bench.md): time from a call state change to its webhook being
 * received, at a steady 50 calls/s on the embedded store. The state change's time is the
 * event's `timestamp` (written in the transaction of the change); the receiver runs in this
 * process on 127.0.0.1, so both clocks are the same. `BENCH_EVENTS_RATE` changes the call rate
 * (to see the lag of an unsaturated node); the goal is stated at 50.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createPconn } from '../src/main.ts';
import { SandboxDriver } from '../src/telephony/sandbox/sandbox-driver.ts';

const RATE = Number(process.env.BENCH_EVENTS_RATE ?? 50);
const AGENTS = 60;

/** Runs the measure for `seconds` of load and returns the bench line. */
export async function eventsLag(seconds: number): Promise<string> {
  const lags: number[] = [];
  const seen = new Set<string>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; timestamp: string };
      if (!seen.has(event.id)) {
        seen.add(event.id);
        lags.push(received - Date.parse(event.timestamp));
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const dir = await mkdtemp(join(tmpdir(), 'pconn-bench-events-'));
  const config = loadConfig({
    PORT: '0',
    PCONN_DATA_DIR: join(dir, 'data'),
    PCONN_BOOTSTRAP_CLIENT_ID: 'bench',
    PCONN_BOOTSTRAP_CLIENT_SECRET: 'bench-secret-0123456789',
    PCONN_RATE_LIMIT_RPS: '0',
    PCONN_WEBHOOK_ALLOW_PRIVATE: '1',
  });
  const pconn = await createPconn(config, {
    logger: pino({ level: 'warn' }),
    driver: new SandboxDriver({ timeScale: 0.01 }),
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
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  await call('PUT', '/v1/webhooks/bench', { url: hookUrl, events: ['call.*'] });
  await call('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  for (let i = 0; i < AGENTS; i++)
    await call('PUT', `/v1/users/agent-${i}`, {
      name: `Agent ${i}`,
      device: { type: 'sip', uri: `sip:agent${i}@127.0.0.1` },
    });
  await call('PUT', '/v1/campaigns/bench', {
    name: 'Bench',
    callerId: '+14155550100',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    agentIds: Array.from({ length: AGENTS }, (_, i) => `agent-${i}`),
    retryPolicy: { minRedialGapSeconds: 0 },
  });
  await call('POST', '/v1/campaigns/bench/start');
  const total = RATE * seconds;
  // Contacts imported up front, one per call (as in dial_latency_p99): the load is the calls.
  const ndjson = Array.from({ length: total }, (_, i) =>
    JSON.stringify({
      externalId: `lag-${i}`,
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
    }),
  ).join('\n');
  const imported = await fetch(`${url}/v1/campaigns/bench/contacts/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body: ndjson,
  });
  if (imported.status !== 200) throw new Error(`contact import: ${imported.status} ${await imported.text()}`);
  const contactIds = (await pconn.store.db.selectFrom('contacts').select('id').orderBy('seq').execute()).map(
    (r) => r.id,
  );

  // How busy the node is under this load tells whether the lag is the relay or queueing.
  const elu0 = performance.eventLoopUtilization();
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      call('POST', '/v1/campaigns/bench/calls', { contactId: contactIds[i] }).then((res) => res.text()),
    );
  }
  await Promise.all(pending);
  const busy = performance.eventLoopUtilization(elu0).utilization;
  // Let the last calls finish and their events arrive: until every call event written so far
  // was received and nothing new was written for a second (bounded).
  const deadline = Date.now() + 15_000;
  let target = 0;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const written = await pconn.store.db
      .selectFrom('call_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('call_id', 'is not', null)
      .executeTakeFirstOrThrow();
    if (Number(written.n) !== target) {
      target = Number(written.n);
      stableSince = Date.now();
    }
    if (seen.size >= target && Date.now() - stableSince > 1000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await pconn.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
  lags.sort((a, b) => a - b);
  const pct = (q: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? Number.NaN;
  return `events_lag_p99: ${pct(0.99)} ms (goal ≤ 1000 ms; ${lags.length} of ${target} call events received from ${total} calls at ${RATE}/s; p50 ${pct(0.5)} ms, max ${lags.at(-1) ?? Number.NaN} ms; event loop ${(busy * 100).toFixed(0)} % busy during the load)`;
}
