import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createPconn, type Pconn, type PconnOverrides } from '../../src/main.ts';

/** A pconn node started for a bench: its own data dir, the bench admin's token, a JSON caller. */
export interface BenchPconn {
  pconn: Pconn;
  url: string;
  token: string;
  /** Calls the API as the bench admin; throws on an error status; answers the JSON body. */
  call(method: string, path: string, body?: unknown, type?: string): Promise<Record<string, unknown>>;
  /** Closes the node and removes its data dir. */
  close(): Promise<void>;
}

const CLIENT_ID = 'bench';
const CLIENT_SECRET = 'bench-secret-0123456789';

/** Settings of a bench node on the SIP driver whose peers are sipp (sip_cps_ratio, sip_rss_delta). */
export const SIP_BENCH_ENV: Readonly<Record<string, string>> = {
  PCONN_TELEPHONY: 'sip',
  PCONN_SIP_LISTEN: 'udp://127.0.0.1:0',
  // No OPTIONS probes: sipp would take one for a call its scenario does not expect.
  PCONN_SIP_KEEPALIVE_SECONDS: '0',
  PCONN_DIALER_POLL_MS: '20',
  PCONN_DIALER_BATCH: '200',
};

/**
 * Starts pconn on a fresh embedded store (or `DATABASE_URL` in `env`) with the benches' admin
 * client and no rate limit; `env` adds or overrides settings.
 */
export async function startBenchPconn(
  env: Record<string, string>,
  overrides: Omit<PconnOverrides, 'logger'> = {},
): Promise<BenchPconn> {
  const dir = await mkdtemp(join(tmpdir(), 'pconn-bench-'));
  const config = loadConfig({
    PORT: '0',
    PCONN_DATA_DIR: join(dir, 'data'),
    PCONN_BOOTSTRAP_CLIENT_ID: CLIENT_ID,
    PCONN_BOOTSTRAP_CLIENT_SECRET: CLIENT_SECRET,
    PCONN_RATE_LIMIT_RPS: '0',
    // The bench's SIP peers (sipp) live on this machine.
    PCONN_SIP_ALLOW_DESTINATIONS: '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
    ...env,
  });
  // BENCH_SQL_PROFILE: the embedded store's thread times its statements (sql-profile.ts).
  const profiled =
    process.env.BENCH_SQL_PROFILE && !config.databaseUrl && !overrides.storeOptions
      ? {
          storeOptions: {
            kind: 'pglite' as const,
            dataDir: config.dataDir,
            threadEntry: new URL('./profiled-store-thread.ts', import.meta.url),
          },
        }
      : {};
  const pconn = await createPconn(config, { ...overrides, ...profiled, logger: pino({ level: 'warn' }) });
  await pconn.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(pconn.app.server.address() as AddressInfo).port}`;
  const tokenResponse = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  return {
    pconn,
    url,
    token,
    async call(method, path, body, type = 'application/json') {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    },
    async close() {
      await pconn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A running campaign `id` (default `bench`) whose agents are `agent-{first}…agent-{first+count-1}`,
 * each reached at `deviceUri(i)`, presenting a verified caller id; `campaign` adds or overrides
 * fields. A campaign holds at most 1,000 agents (the API's limit).
 */
export async function seedBenchCampaign(
  node: BenchPconn,
  agents: { count: number; deviceUri: (i: number) => string; first?: number },
  campaign: Record<string, unknown> = {},
  id = 'bench',
): Promise<void> {
  const first = agents.first ?? 0;
  await node.call('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  for (let i = first; i < first + agents.count; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, first + agents.count - i) }, (_, j) =>
        node.call('PUT', `/v1/users/agent-${i + j}`, {
          name: `Agent ${i + j}`,
          device: { type: 'sip', uri: agents.deviceUri(i + j) },
        }),
      ),
    );
  await node.call('PUT', `/v1/campaigns/${id}`, {
    name: 'Bench',
    callerId: '+14155550100',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    agentIds: Array.from({ length: agents.count }, (_, i) => `agent-${first + i}`),
    maxAttemptsPerContact: 1,
    ...campaign,
  });
  await node.call('POST', `/v1/campaigns/${id}/start`);
}

/**
 * Campaigns `bench`, `bench-1`, `bench-2`… with `count` agents in all, 1,000 a campaign (the
 * API's limit); answers their ids. For measures that need more agents than one campaign holds.
 */
export async function seedBenchCampaigns(
  node: BenchPconn,
  agents: { count: number; deviceUri: (i: number) => string },
): Promise<string[]> {
  const ids: string[] = [];
  for (let first = 0; first < agents.count; first += 1000) {
    const id = first === 0 ? 'bench' : `bench-${first / 1000}`;
    const count = Math.min(1000, agents.count - first);
    await seedBenchCampaign(node, { count, first, deviceUri: agents.deviceUri }, {}, id);
    ids.push(id);
  }
  return ids;
}

/**
 * Imports `count` contacts (`bench-<n>`, one mobile number each) into campaign `bench`: a
 * realistic campaign of many contacts, each called once or a few times (the attempt cap and
 * redial gap are per contact, so one contact called thousands of times is not the workload).
 */
export async function importBenchContacts(node: BenchPconn, count: number): Promise<void> {
  const ndjson = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      externalId: `bench-${i}`,
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
    }),
  ).join('\n');
  await node.call('POST', '/v1/campaigns/bench/contacts/import', ndjson, 'application/x-ndjson');
}
