/**
 * A pconn node for the benches, in its own process so the load generator does not share its
 * event loop (PGlite runs on the server's thread; an in-process client would be starved by it
 * and measure itself). Seeds a running campaign with 60 agents and BENCH_CONTACTS contacts,
 * then reports `{url, token, contactIds}` over IPC, and each first agent dial as
 * `{type: 'dial', callId, at}` (`at` in epoch ms, comparable across processes).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createPconn } from '../../src/main.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { profileSql } from '../support/sql-profile.ts';

const sqlReport = process.env.BENCH_SQL_PROFILE ? profileSql() : undefined;

const contacts = Number(process.env.BENCH_CONTACTS ?? 5000);
const dir = await mkdtemp(join(tmpdir(), 'pconn-bench-'));
const config = loadConfig({
  PORT: '0',
  PCONN_DATA_DIR: join(dir, 'data'),
  PCONN_BOOTSTRAP_CLIENT_ID: 'bench',
  PCONN_BOOTSTRAP_CLIENT_SECRET: 'bench-secret-0123456789',
  PCONN_RATE_LIMIT_RPS: '0',
  PCONN_DIALER: process.env.PCONN_DIALER ?? 'on',
  PCONN_WEBHOOK_ALLOW_PRIVATE: process.env.PCONN_WEBHOOK_ALLOW_PRIVATE ?? '',
  ...(process.env.PCONN_WEBHOOK_CONCURRENCY
    ? { PCONN_WEBHOOK_CONCURRENCY: process.env.PCONN_WEBHOOK_CONCURRENCY }
    : {}),
});
const pconn = await createPconn(config, {
  logger: pino({ level: 'warn' }),
  driver: new SandboxDriver({
    timeScale: 0.01,
    onDial: (leg) => {
      if (leg.legId.endsWith('/1/agent'))
        process.send?.({
          type: 'dial',
          callId: leg.legId.split('/')[0],
          at: performance.timeOrigin + performance.now(),
        });
    },
  }),
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
const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
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
// A realistic campaign: many contacts, each called once or a few times (the attempt cap and
// redial gap are per contact, so one contact called thousands of times is not the workload).
const ndjson = Array.from({ length: contacts }, (_, i) =>
  JSON.stringify({
    externalId: `bench-${i}`,
    timezone: 'UTC',
    phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
  }),
).join('\n');
await call('POST', '/v1/campaigns/bench/contacts/import', ndjson, 'application/x-ndjson');
const rows = await pconn.store.db.selectFrom('contacts').select('id').orderBy('seq').execute();
sqlReport?.reset();
process.send?.({ type: 'ready', url, token, contactIds: rows.map((r) => r.id) });
process.on('disconnect', () => {
  if (sqlReport) process.stderr.write(`statements (count, total time):\n${sqlReport.report()}\n`);
  void pconn
    .close()
    .then(() => rm(dir, { recursive: true, force: true }))
    .then(() => process.exit(0));
});
