/**
 * Loading `POST /v1/campaigns/{id}/calls` with autocannon, on bench pconn nodes
 * (bench/servers/pconn-node.ts) in their own processes: shared by accept_ratio and scale_ratio.
 */
import autocannon from 'autocannon';
import { createTestDatabase } from '../../test/support/postgres-server.ts';
import { CpuMeter } from './cpu-account.ts';
import { profileStatements } from './pg-statements.ts';
import { sampleWaits } from './pg-waits.ts';
import { busyPercent } from './process-tree.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

export interface PconnReady {
  url: string;
  token: string;
  contactIds: string[];
}

export interface LoadResult {
  rps: number;
  /** Answers with a 2xx status: for pconn, calls accepted. */
  accepted: number;
  /** Requests sent, answered or not: at the end of the run up to one per connection is in flight. */
  sent: number;
  errors: number;
  non2xx: number;
  /** The whole machine during the load, in CPUs (CPU seconds ÷ seconds, all cores): busy and idle. */
  machine: { busy: number; idle: number };
}

const callBody = (contactId: string) => JSON.stringify({ contactId, reason: 'bench' });

async function load(
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string>,
  body: (i: number) => string,
  extraHeaders: (i: number) => Record<string, string> = () => ({}),
): Promise<LoadResult> {
  let n = 0;
  const meter = await CpuMeter.start({});
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (req) => {
          const i = n++;
          return { ...req, headers: { ...req.headers, ...extraHeaders(i) }, body: body(i) };
        },
      },
    ],
  });
  const { busy, idle } = await meter.split();
  return {
    rps: result.requests.average,
    accepted: result['2xx'],
    sent: n,
    errors: result.errors,
    non2xx: result.non2xx,
    machine: { busy, idle },
  };
}

/** A reference server (bench/servers/<name>.ts) without auth, loaded like pconn. */
export async function loadReference(
  name: string,
  seconds: number,
  connections: number,
  env: Record<string, string> = {},
): Promise<LoadResult> {
  const server = await startServerProcess<{ url: string }>(name, env);
  try {
    // As for pconn's nodes (loadNodes): where the reference server's PostgreSQL time goes.
    const reportPostgres = await watchPostgres(env.BENCH_DATABASE_URL);
    const result = await load(
      `${server.ready.url}/v1/campaigns/bench/calls`,
      connections,
      seconds,
      { 'content-type': 'application/json' },
      () => callBody('contact_01m8dw437w5afy5nht3sdjsqy4'),
    );
    await reportPostgres(name);
    return result;
  } finally {
    await server.stop();
  }
}

let loadRound = 0;

/**
 * Starts what BENCH_PG_WAITS and BENCH_PG_STATEMENTS ask of `databaseUrl` (nothing without one)
 * before a load; the function it answers prints it, under `label`, once the load is over.
 */
async function watchPostgres(databaseUrl: string | undefined): Promise<(label: string) => Promise<void>> {
  const waits = databaseUrl && process.env.BENCH_PG_WAITS ? await sampleWaits(databaseUrl) : undefined;
  const statements =
    databaseUrl && process.env.BENCH_PG_STATEMENTS ? await profileStatements(databaseUrl) : undefined;
  return async (label) => {
    if (waits) console.log(`${label}: ${await waits.stop()}`);
    if (statements) console.log(await statements.stop());
  };
}

/**
 * Loads pconn node(s) at once, `connections` split evenly between them; one Idempotency-Key per
 * request. The totals are summed over the nodes.
 */
export async function loadNodes(
  nodes: PconnReady[],
  seconds: number,
  connections: number,
  databaseUrl?: string,
): Promise<LoadResult> {
  // Rounds may share a database: a key of an earlier round would be a replay.
  const round = loadRound++;
  const reportPostgres = await watchPostgres(databaseUrl);
  const results = await Promise.all(
    nodes.map(({ url, token, contactIds }, node) =>
      load(
        `${url}/v1/campaigns/bench/calls`,
        Math.round(connections / nodes.length),
        seconds,
        { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        (i) => callBody(contactIds[(i * nodes.length + node) % contactIds.length] ?? ''),
        (i) => ({ 'idempotency-key': `k-${process.pid}-${round}-${node}-${i}` }),
      ),
    ),
  );
  await reportPostgres(`${nodes.length} node(s)`);
  return results.reduce((sum, r) => ({
    rps: sum.rps + r.rps,
    accepted: sum.accepted + r.accepted,
    sent: sum.sent + r.sent,
    errors: sum.errors + r.errors,
    non2xx: sum.non2xx + r.non2xx,
    // The loads ran at once on one machine: each saw all of it.
    machine: sum.machine,
  }));
}

/**
 * Starts `count` pconn nodes (the first seeds, unless the database already is), runs `measure`
 * with their processes, stops them. `envOf(i)` adds settings for node `i`.
 */
export async function withNodes<T>(
  count: number,
  env: Record<string, string>,
  measure: (nodes: ServerProcess<PconnReady>[]) => Promise<T>,
  seeded = false,
  envOf: (i: number) => Record<string, string> = () => ({}),
): Promise<T> {
  const first = await startServerProcess<PconnReady>('pconn-node', {
    PCONN_DIALER: 'off',
    ...(seeded ? { BENCH_SEED: '0' } : {}),
    ...env,
    ...envOf(0),
  });
  const others = await Promise.all(
    Array.from({ length: count - 1 }, (_, i) =>
      startServerProcess<PconnReady>('pconn-node', {
        PCONN_DIALER: 'off',
        BENCH_SEED: '0',
        ...env,
        ...envOf(i + 1),
      }),
    ),
  );
  try {
    return await measure([first, ...others]);
  } finally {
    await Promise.all([first, ...others].map((node) => node.stop()));
  }
}

/** A fresh database on a durable PostgreSQL server (fsync on; createTestDatabase checks) for one measure. */
export async function withPostgres<T>(measure: (url: string) => Promise<T>): Promise<T> {
  process.env.PCONN_PG_DURABLE = '1';
  const database = await createTestDatabase();
  try {
    return await measure(database.url);
  } finally {
    await database.drop();
  }
}

/**
 * The rate a load's cost allows with every core of the machine busy (server, store, load
 * generator, everything): an estimate, not a bound — batches grow with load, and each request
 * then costs a little less.
 */
export function rateAtFullMachine(r: LoadResult): number {
  const { busy, idle } = r.machine;
  return busy > 0 ? (r.rps * (busy + idle)) / busy : 0;
}

/** A load's rate and errors, and what it cost the whole machine. */
export const describeLoad = (r: LoadResult) => {
  const cpuPerRequest = r.rps > 0 ? r.machine.busy / r.rps : 0;
  return `${r.rps.toFixed(0)} req/s with ${r.non2xx} non-2xx and ${r.errors} errors (the machine ${busyPercent(r.machine).toFixed(0)} % busy, ${(cpuPerRequest * 1e6).toFixed(0)} µs of its CPU a request: ~${rateAtFullMachine(r).toFixed(0)} req/s with all of it)`;
};
