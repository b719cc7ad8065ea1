/**
 * accept_ratio and accept_ratio_pg (shared/bench.md): accepted `POST /v1/campaigns/{id}/calls`
 * per second — auth, validation, Idempotency-Key, audit, durable insert — ÷ a bare Fastify route
 * answering 202. Every server runs in its own process and is loaded the same way in one run.
 */
import { stopTestPostgres } from '../test/support/postgres-server.ts';
import {
  describeLoad,
  loadNodes,
  loadReference,
  rateAtFullMachine,
  withNodes,
  withPostgres,
} from './support/accept-load.ts';

/** The bare Fastify route, loaded like pconn. */
const baseline = (seconds: number, connections: number) =>
  loadReference('bare-fastify', seconds, connections);

/** accept_ratio (embedded store) or accept_ratio_pg (PostgreSQL). */
export async function acceptRatio(
  seconds: number,
  store: 'pglite' | 'postgres',
  connections = 50,
): Promise<string> {
  const bare = await baseline(seconds, connections);
  const measure = (env: Record<string, string>) =>
    withNodes(1, env, (nodes) =>
      loadNodes(
        nodes.map((node) => node.ready),
        seconds,
        connections,
        env.BENCH_DATABASE_URL,
      ),
    );
  const ours =
    store === 'pglite'
      ? await measure({})
      : await withPostgres((url) => measure({ BENCH_DATABASE_URL: url }));
  const name = store === 'pglite' ? 'accept_ratio' : 'accept_ratio_pg';
  const where = store === 'pglite' ? 'embedded store' : 'PostgreSQL 18, fsync on';
  const goal = store === 'pglite' ? '≥ 0.2' : '≥ 0.25';
  return `${name}: ${(ours.rps / bare.rps).toFixed(3)} (goal ${goal}; pconn ${describeLoad(ours)} on the ${where}, bare Fastify ${bare.rps.toFixed(0)} req/s; ${connections} connections × ${seconds} s each, servers in their own processes)`;
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
  return `accept_store_floor: ${(floor.rps / bare.rps).toFixed(3)} (reference, the ceiling of accept_ratio on this machine; bare route + 4 group-committed PGlite rows per request ${describeLoad(floor)}, bare Fastify ${bare.rps.toFixed(0)} req/s; ${connections} connections × ${seconds} s each)`;
}

/**
 * accept_store_floor_pg (a reference): the same bare route and four rows per request, group
 * committed on the benches' durable PostgreSQL (fsync on) — the ceiling of accept_ratio_pg with
 * PostgreSQL, the load generator and the node sharing this machine's cores.
 */
export async function acceptStoreFloorPg(seconds: number, connections = 50): Promise<string> {
  const bare = await baseline(seconds, connections);
  const floor = await withPostgres((url) =>
    loadReference('store-floor', seconds, connections, { BENCH_DATABASE_URL: url }),
  );
  return `accept_store_floor_pg: ${(floor.rps / bare.rps).toFixed(3)} (reference, the ceiling of accept_ratio_pg on this machine; bare route + 4 group-committed PostgreSQL rows per request, fsync on, ${describeLoad(floor)}, bare Fastify ${bare.rps.toFixed(0)} req/s; ${connections} connections × ${seconds} s each)`;
}

/**
 * accept_record_floor (a reference): the bare route plus the least any design keeping the
 * contract's record of an accepted call does on the embedded store (bench/servers/record-floor.ts):
 * the checks' reads and the call, its first timeline entry, the key's answer and a hash-chained
 * audit entry in pconn's tables and indexes, one statement per batch on the store's thread — ÷
 * the bare route. The store's thread is the limit there (PGlite runs on one thread), so where it
 * reads under accept_ratio's goal no design keeping that record reaches the goal on this machine.
 * With `rows` 3 the key's answer is left out, with 2 the first entry too (a design keeping the key
 * and the entry's document on the call row). accept_record_floor_pg: the same record on the
 * benches' durable PostgreSQL, `BENCH_FLOOR_IN_FLIGHT` batches (4 here, the best of 2, 4 and 8)
 * in flight, each on a pooled connection of its own; not a ceiling there (docs/performance.md).
 */
export async function acceptRecordFloor(
  seconds: number,
  rows: 2 | 3 | 4 = 4,
  store: 'pglite' | 'postgres' = 'pglite',
  connections = 50,
): Promise<string> {
  const bare = await baseline(seconds, connections);
  const env = { BENCH_RECORD_FLOOR_ROWS: String(rows) };
  const floor =
    store === 'pglite'
      ? await loadReference('record-floor', seconds, connections, env)
      : await withPostgres((url) =>
          loadReference('record-floor', seconds, connections, {
            ...env,
            BENCH_FLOOR_IN_FLIGHT: process.env.BENCH_FLOOR_IN_FLIGHT ?? '4',
            BENCH_DATABASE_URL: url,
          }),
        );
  const what = {
    4: '4 rows (call, first entry, key answer, chained audit entry)',
    3: '3 rows (call, first entry, chained audit entry; no key answer)',
    2: "2 rows (the call with its first entry's document, chained audit entry)",
  }[rows];
  const name = `accept_record_floor${rows === 4 ? '' : `_${rows}`}${store === 'pglite' ? '' : '_pg'}`;
  const where =
    store === 'pglite'
      ? "embedded store here; bare route + the checks' reads and WHAT in pconn's tables, one statement per batch on the store's thread"
      : "benches' durable PostgreSQL (fsync on) here; bare route + the checks' reads and WHAT in pconn's tables, one statement per batch, several batches in flight";
  const atFullMachine = (rateAtFullMachine(floor) / bare.rps).toFixed(3);
  return `${name}: ${(floor.rps / bare.rps).toFixed(3)} (reference, the most a design keeping this record reaches on the ${where.replace('WHAT', what)}, ${describeLoad(floor)}, ~${atFullMachine} of the bare route with all of the machine, bare Fastify ${bare.rps.toFixed(0)} req/s; ${connections} connections × ${seconds} s each)`;
}

/** Stops the PostgreSQL server the PostgreSQL measures started. */
export const stopBenchPostgres = stopTestPostgres;
