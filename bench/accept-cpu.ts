/**
 * `node --import tsx bench/accept-cpu.ts [count] [pglite|postgres]`: CPU per accepted `POST
 * /v1/campaigns/{id}/calls` on one seeded node (embedded store, or a fresh database on the
 * durable test PostgreSQL), a reference beside accept_ratio and accept_ratio_pg. Requests go through fastify.inject from 50 concurrent workers
 * in the node's own process: no sockets and no load generator, so the batch sizes follow the
 * concurrency rather than the machine's load, and the figure (the process's CPU ÷ requests)
 * stays comparable between runs on a busy shared machine where req/s does not. It counts
 * inject's own work too, the same in every run: compare runs, not with accept_ratio.
 */
import { createTestDatabase, stopTestPostgres } from '../test/support/postgres-server.ts';
import { importBenchContacts, seedBenchCampaign, startBenchPconn } from './support/bench-pconn.ts';

const count = Number(process.argv[2] ?? 4000);
const onPostgres = process.argv[3] === 'postgres';
if (onPostgres) process.env.PCONN_PG_DURABLE = '1';
const database = onPostgres ? await createTestDatabase() : undefined;
const WORKERS = 50;
const WARM_UP = 500;
const node = await startBenchPconn({
  PCONN_DIALER: 'off',
  ...(database ? { DATABASE_URL: database.url } : {}),
});
await seedBenchCampaign(
  node,
  { count: 60, deviceUri: (i) => `sip:agent${i}@127.0.0.1` },
  { maxAttemptsPerContact: 50, retryPolicy: { minRedialGapSeconds: 0 } },
);
const contacts = count + WARM_UP;
await importBenchContacts(node, contacts);
const rows = await node.pconn.store.db.selectFrom('contacts').select('id').orderBy('seq').execute();
const ids = rows.map((r) => r.id);

/** Sends requests `from`…`to - 1` (one contact and one Idempotency-Key each) from 50 workers. */
async function send(from: number, to: number): Promise<number> {
  let next = from;
  let failed = 0;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const res = await node.pconn.app.inject({
        method: 'POST',
        url: '/v1/campaigns/bench/calls',
        headers: {
          authorization: `Bearer ${node.token}`,
          'content-type': 'application/json',
          'idempotency-key': `k-${i}`,
        },
        payload: JSON.stringify({ contactId: ids[i % ids.length], reason: 'bench' }),
      });
      if (res.statusCode !== 202) failed++;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return failed;
}

await send(0, WARM_UP); // JIT, caches, the token verified once
const cpuBefore = process.cpuUsage();
const started = performance.now();
const failed = await send(WARM_UP, WARM_UP + count);
const { user, system } = process.cpuUsage(cpuBefore);
const wallUs = ((performance.now() - started) * 1000) / count;
console.log(
  `accept_cpu${onPostgres ? '_pg' : ''}: ${((user + system) / count).toFixed(0)} µs of CPU per request (reference; ${count} requests after ${WARM_UP} to warm up, ${failed} not 202, ${WORKERS} concurrent, wall ${wallUs.toFixed(0)} µs per request)`,
);
await node.close();
await database?.drop();
await stopTestPostgres();
process.exit(0);
