/**
 * accept_ratio, accept_ratio_pg and scale_ratio (shared/bench.md): accepted
 * `POST /v1/campaigns/{id}/calls` per second — auth, validation, Idempotency-Key, audit, durable
 * insert — ÷ a bare Fastify route answering 202 (or ÷ one node, for scale_ratio). Every server
 * runs in its own process and is loaded the same way in one run.
 */
import autocannon from 'autocannon';
import { createTestDatabase, stopTestPostgres } from '../test/support/postgres-server.ts';
import { sampleWaits } from './support/pg-waits.ts';
import { startServerProcess } from './support/server-process.ts';

interface PconnReady {
  url: string;
  token: string;
  contactIds: string[];
}

interface LoadResult {
  rps: number;
  errors: number;
  non2xx: number;
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
  return { rps: result.requests.average, errors: result.errors, non2xx: result.non2xx };
}

/** A reference server (bench/servers/<name>.ts) without auth, loaded like pconn. */
async function loadReference(name: string, seconds: number, connections: number): Promise<LoadResult> {
  const server = await startServerProcess<{ url: string }>(name);
  try {
    return await load(
      `${server.ready.url}/v1/campaigns/bench/calls`,
      connections,
      seconds,
      { 'content-type': 'application/json' },
      () => callBody('contact_01m8dw437w5afy5nht3sdjsqy4'),
    );
  } finally {
    await server.stop();
  }
}

/** The bare Fastify route, loaded like pconn. */
const baseline = (seconds: number, connections: number) =>
  loadReference('bare-fastify', seconds, connections);

let loadRound = 0;

/** Loads pconn node(s) at once, the connections split between them; one key per request. */
async function loadNodes(
  nodes: PconnReady[],
  seconds: number,
  connections: number,
  databaseUrl?: string,
): Promise<LoadResult> {
  // Rounds share a database in scale_ratio: a key of an earlier round would be a replay.
  const round = loadRound++;
  const waits = databaseUrl && process.env.BENCH_PG_WAITS ? await sampleWaits(databaseUrl) : undefined;
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
  if (waits) console.log(`${nodes.length} node(s): ${await waits.stop()}`);
  return results.reduce((sum, r) => ({
    rps: sum.rps + r.rps,
    errors: sum.errors + r.errors,
    non2xx: sum.non2xx + r.non2xx,
  }));
}

/** Starts `count` pconn nodes (the first seeds, unless the database already is), runs `measure`, stops them. */
async function withNodes<T>(
  count: number,
  env: Record<string, string>,
  measure: (nodes: PconnReady[]) => Promise<T>,
  seeded = false,
): Promise<T> {
  const first = await startServerProcess<PconnReady>('pconn-node', {
    PCONN_DIALER: 'off',
    ...(seeded ? { BENCH_SEED: '0' } : {}),
    ...env,
  });
  const others = await Promise.all(
    Array.from({ length: count - 1 }, () =>
      startServerProcess<PconnReady>('pconn-node', { PCONN_DIALER: 'off', BENCH_SEED: '0', ...env }),
    ),
  );
  try {
    return await measure([first, ...others].map((node) => node.ready));
  } finally {
    await Promise.all([first, ...others].map((node) => node.stop()));
  }
}

/** A fresh database on a durable PostgreSQL server (fsync on) for one measure. */
async function withPostgres<T>(measure: (url: string) => Promise<T>): Promise<T> {
  process.env.PCONN_PG_DURABLE = '1';
  const database = await createTestDatabase();
  try {
    return await measure(database.url);
  } finally {
    await database.drop();
  }
}

const describe = (r: LoadResult) =>
  `${r.rps.toFixed(0)} req/s with ${r.non2xx} non-2xx and ${r.errors} errors`;

/** accept_ratio (embedded store) or accept_ratio_pg (PostgreSQL). */
export async function acceptRatio(
  seconds: number,
  store: 'pglite' | 'postgres',
  connections = 50,
): Promise<string> {
  const bare = await baseline(seconds, connections);
  const measure = (env: Record<string, string>) =>
    withNodes(1, env, (nodes) => loadNodes(nodes, seconds, connections, env.BENCH_DATABASE_URL));
  const ours =
    store === 'pglite'
      ? await measure({})
      : await withPostgres((url) => measure({ BENCH_DATABASE_URL: url }));
  const name = store === 'pglite' ? 'accept_ratio' : 'accept_ratio_pg';
  const where = store === 'pglite' ? 'embedded store' : 'PostgreSQL 18, fsync on';
  return `${name}: ${(ours.rps / bare.rps).toFixed(3)} (goal ≥ 0.25; pconn ${describe(ours)} on the ${where}, bare Fastify ${bare.rps.toFixed(0)} req/s; ${connections} connections × ${seconds} s each, servers in their own processes)`;
}

/**
 * accept_store_floor (a reference, not a goal of shared/bench.md): the bare route plus only the
 * durable writes an accepted call needs — four rows, group-committed on a file-backed PGlite
 * (bench/servers/store-floor.ts) — ÷ the bare route. It bounds accept_ratio from above: pconn
 * does these writes and more (auth, validation, reads, decision, audit chain) on the same thread.
 */
export async function acceptStoreFloor(seconds: number, connections = 50): Promise<string> {
  const bare = await baseline(seconds, connections);
  const floor = await loadReference('store-floor', seconds, connections);
  return `accept_store_floor: ${(floor.rps / bare.rps).toFixed(3)} (reference, the ceiling of accept_ratio on this machine; bare route + 4 group-committed PGlite rows per request ${describe(floor)}, bare Fastify ${bare.rps.toFixed(0)} req/s; ${connections} connections × ${seconds} s each)`;
}

/** scale_ratio: two nodes on one PostgreSQL ÷ one node, the same 50 connections in all. */
export async function scaleRatio(seconds: number, connections = 50): Promise<string> {
  const { one, two } = await withPostgres(async (url) => {
    const env = { BENCH_DATABASE_URL: url };
    const one = await withNodes(1, env, (nodes) => loadNodes(nodes, seconds, connections, url));
    const two = await withNodes(2, env, (nodes) => loadNodes(nodes, seconds, connections, url), true);
    return { one, two };
  });
  return `scale_ratio: ${(two.rps / one.rps).toFixed(2)} (goal ≥ 1.3 on 2 cores; two nodes ${describe(two)}, one node ${describe(one)}; one PostgreSQL 18, fsync on, ${connections} connections × ${seconds} s)`;
}

/** Stops the PostgreSQL server the PostgreSQL measures started. */
export const stopBenchPostgres = stopTestPostgres;
