/**
 * The reference server of accept_store_floor (and, with BENCH_DATABASE_URL, accept_store_floor_pg
 * on PostgreSQL): a bare Fastify route that makes durable, on a file-backed PGlite like pconn's
 * embedded store, only the rows an accepted call cannot do
 * without — the call, its first event, the Idempotency-Key answer and the audit entry — each
 * with a call-sized JSON document, in tables with nothing but a primary key, group-committed in
 * one statement per batch exactly as pconn batches. No auth, validation, reads, decision or
 * hash chain: the ceiling of the embedded store's write path on this machine, not a design.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { newId } from '../../src/domain/ids.ts';
import { serveReferenceRoute } from '../support/reference-route.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'pconn-store-floor-'));
const url = process.env.BENCH_DATABASE_URL;
const pool = url ? new pg.Pool({ connectionString: url, max: 10 }) : undefined;
const pglite = pool ? undefined : await PGlite.create({ dataDir });
const query = (text: string, params: unknown[] = []) =>
  pool ? pool.query(text, params) : (pglite as PGlite).query(text, params);
const TABLES = ['floor_calls', 'floor_events', 'floor_keys', 'floor_audit'];
for (const table of TABLES)
  await query(
    `create table ${table} (id text primary key, body jsonb not null, at timestamptz not null default now())`,
  );

const body = JSON.stringify({ id: 'call_x', status: 'queued', padding: 'x'.repeat(600) });
// One statement per batch, like pconn's accept write: every table gets one row per request, and
// every row its own document (parsed per row, as pconn's are).
const writeBatch = [
  'with requests as (select * from unnest($1::text[], $2::text[]) as r(id, document))',
  ...TABLES.map(
    (table) =>
      `, ${table}_rows as (insert into ${table} (id, body) select id, document::jsonb from requests)`,
  ),
  'select count(*) from requests',
].join('\n');

// Requests wait here while a batch is being written; the next batch takes all of them.
let waiting: Array<{ id: string; done: () => void }> = [];
let writing = false;
// Requests still arriving as the server closes are left unanswered: a batch written after the
// store closed failed the process (pg: "Cannot use a pool after calling end on the pool").
let closing = false;
async function writeWaiting(): Promise<void> {
  if (closing || writing || waiting.length === 0) return;
  writing = true;
  const batch = waiting;
  waiting = [];
  try {
    await query(writeBatch, [batch.map((request) => request.id), batch.map(() => body)]);
    for (const request of batch) request.done();
  } finally {
    writing = false;
    if (waiting.length > 0) setImmediate(writeWaiting);
  }
}

await serveReferenceRoute(
  () =>
    new Promise<string>((done) => {
      waiting.push({ id: newId('call'), done: () => done(body) });
      setImmediate(writeWaiting);
    }),
  () => {
    closing = true;
    return (pool ? pool.end() : (pglite as PGlite).close()).then(() =>
      rm(dataDir, { recursive: true, force: true }),
    );
  },
);
