/**
 * Where the embedded store runs (README "Architecture", issue 15): PGlite on the main thread
 * (the old in-process dialect), on a worker thread spoken to with pg over its port (pool of 1 or
 * of 4 connections), or in a child process behind a unix socket. Same work on each: 300 inserts
 * of 50 jsonb rows (4 callers at once), then 2,000 single-row selects by key (8 callers at
 * once, then one at a time). Prints rows/s, the main thread's CPU share of the wall time, the
 * whole CPU (store included wherever it runs) and the main thread's longest stall.
 *
 *   node --import tsx bench/store-host.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PgliteHost } from '../src/store/pglite-host/pglite-host.ts';
import { PGliteDialect } from '../test/support/pglite-dialect.ts';

pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** The one table the work uses. */
interface BenchDatabase {
  bench: { id: Generated<number>; doc: string };
}

interface Variant {
  db: Kysely<BenchDatabase>;
  /** CPU ms of the store's other process, if it has one. */
  otherCpuMs: () => Promise<number>;
  close: () => Promise<void>;
}

const SETTINGS = ['shared_buffers=8MB'];
const pgOptions = { idleTimeoutMillis: 0, user: 'postgres', database: 'template1', ssl: false };

async function inProcess(): Promise<Variant> {
  const pglite = await PGlite.create({
    startParams: [...PGlite.defaultStartParams, ...SETTINGS.flatMap((s) => ['-c', s])],
  });
  const db = new Kysely<BenchDatabase>({ dialect: new PGliteDialect({ pglite }) });
  return { db, otherCpuMs: async () => 0, close: () => db.destroy() };
}

async function worker(max: number): Promise<Variant> {
  const host = await PgliteHost.start({ settings: SETTINGS });
  const pool = new pg.Pool({ ...pgOptions, stream: () => host.stream() as never, max });
  const db = new Kysely<BenchDatabase>({ dialect: new PostgresDialect({ pool }) });
  const close = async () => {
    await db.destroy();
    await host.close();
  };
  return { db, otherCpuMs: async () => 0, close };
}

async function childProcess(max: number): Promise<Variant> {
  const dir = await mkdtemp(join(tmpdir(), 'pconn-store-host-'));
  const server = fileURLToPath(new URL('./servers/pglite-socket-server.ts', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', server, join(dir, '.s.PGSQL.5432')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', () => reject(new Error('the socket server ended')));
  });
  const pool = new pg.Pool({ ...pgOptions, host: dir, port: 5432, max });
  const db = new Kysely<BenchDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    otherCpuMs: () => cpuMs(`/proc/${child.pid}/stat`),
    close: async () => {
      await db.destroy();
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** utime + stime of a process or thread, in ms (clock ticks of 10 ms). */
async function cpuMs(statPath: string): Promise<number> {
  const fields = (await readFile(statPath, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const mainThreadCpuMs = () => cpuMs(`/proc/self/task/${process.pid}/stat`);
const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function measure(variant: Variant, label: string, rows: number, work: () => Promise<void>) {
  // The longest stall of a 5 ms timer on the main thread: what an HTTP or SIP message would wait.
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 5);
  const [main0, other0, all0] = [await mainThreadCpuMs(), await variant.otherCpuMs(), processCpuMs()];
  const started = performance.now();
  await work();
  const wall = performance.now() - started;
  clearInterval(timer);
  stall = Math.max(stall, performance.now() - last);
  const main = (await mainThreadCpuMs()) - main0;
  const all = processCpuMs() - all0 + ((await variant.otherCpuMs()) - other0);
  return `${label.padEnd(12)} ${String(Math.round((rows * 1000) / wall)).padStart(7)} rows/s  main ${String(Math.round((100 * main) / wall)).padStart(3)}%  all ${String(Math.round((100 * all) / wall)).padStart(3)}%  longest stall ${Math.round(stall)} ms`;
}

async function parallel(callers: number, total: number, one: (index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) await one(next++);
    }),
  );
}

async function run(name: string, open: () => Promise<Variant>): Promise<void> {
  const opened = performance.now();
  const variant = await open();
  const openMs = performance.now() - opened;
  const { db } = variant;
  await sql`create table bench (id bigserial primary key, doc jsonb not null)`.execute(db);
  const doc = (n: number) =>
    JSON.stringify({ n, status: 'queued', to: '+33612345678', padding: 'x'.repeat(200) });
  const lines = [`${name} (open ${Math.round(openMs)} ms)`];
  lines.push(
    await measure(variant, '  insert', 300 * 50, () =>
      parallel(4, 300, async (batch) => {
        const values = Array.from({ length: 50 }, (_, i) => ({ doc: doc(batch * 50 + i) }));
        await db.insertInto('bench').values(values).execute();
      }),
    ),
  );
  const select = async (index: number) => {
    await db
      .selectFrom('bench')
      .selectAll()
      .where('id', '=', 1 + ((index * 7919) % 15000))
      .executeTakeFirstOrThrow();
  };
  lines.push(await measure(variant, '  select x8', 2000, () => parallel(8, 2000, select)));
  lines.push(await measure(variant, '  select x1', 2000, () => parallel(1, 2000, select)));
  await variant.close();
  process.stdout.write(`${lines.join('\n')}\n`);
}

const only = process.argv[2];
const variants: Record<string, () => Promise<Variant>> = {
  'in-process': inProcess,
  'worker pool 1': () => worker(1),
  'worker pool 4': () => worker(4),
  'child process pool 4': () => childProcess(4),
};
for (const [name, open] of Object.entries(variants))
  if (!only || name.startsWith(only)) await run(name, open);
