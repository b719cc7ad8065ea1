/**
 * Where should the embedded store run? A reference measure (no goal), run on its own:
 * `node --import tsx bench/store-placement.ts` (BENCH_ROUNDS, default 3).
 *
 * The same write load — group-committed batches of 50 jsonb rows, like the accept path's — on
 * PGlite in-process (the old design), in a worker thread and in a child process (both behind the
 * wire protocol, reached with `pg`), each in a fresh node process with a fresh file-backed data
 * dir. Designs are interleaved round by round so a busy machine slows them alike; the spread of
 * the rounds is printed as the noise. Per run: rows/s, the lateness of a 1 ms timer on the main
 * thread (p50/p99/max), the main thread's event-loop utilisation, and RSS (the node process
 * plus the store's process when there is one) idle after opening and after the load.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { startEmbeddedStore } from '../src/store/embedded/embedded-store.ts';

const DESIGNS = ['in-process', 'worker-pool1', 'worker-pool2', 'process-pool2'] as const;
type Design = (typeof DESIGNS)[number];
const BATCHES = Number(process.env.BENCH_BATCHES ?? 300);
const ROWS = 50;
const SCHEMA = 'create table t (id uuid primary key, tenant text not null, body jsonb not null)';
const INSERT = `insert into t (id, tenant, body)
  select * from unnest($1::uuid[], $2::text[], $3::jsonb[])`;

interface RunResult {
  design: Design;
  rowsPerSecond: number;
  lateP50: number;
  lateP99: number;
  lateMax: number;
  mainElu: number;
  idleRssMb: number;
  loadedRssMb: number;
}

/** A store the load can run on: `writers` concurrent batch writers. */
interface Target {
  insert(ids: string[], tenants: string[], bodies: string[]): Promise<unknown>;
  writers: number;
  extraPid?: number;
  close(): Promise<void>;
}

async function open(design: Design, dataDir: string): Promise<Target> {
  if (design === 'in-process') {
    const db = await PGlite.create({ dataDir });
    await db.exec(SCHEMA);
    return { insert: (...params) => db.query(INSERT, params), writers: 1, close: () => db.close() };
  }
  const writers = design.endsWith('pool2') ? 2 : 1;
  let host: string;
  let extraPid: number | undefined;
  let stop: () => Promise<void>;
  if (design.startsWith('worker')) {
    const store = await startEmbeddedStore({ dataDir });
    host = store.host;
    stop = store.stop;
  } else {
    host = await mkdtemp(join(tmpdir(), 'pconn-store-'));
    const child = fork(fileURLToPath(new URL('./servers/store-process.ts', import.meta.url)), {
      execArgv: process.execArgv,
    });
    child.send({ dataDir, socketDir: host, port: 5432 });
    await new Promise<void>((resolve, reject) =>
      child.once('message', (m: { type: string; message?: string }) =>
        m.type === 'ready' ? resolve() : reject(new Error(m.message)),
      ),
    );
    extraPid = child.pid;
    stop = async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
      await rm(host, { recursive: true, force: true });
    };
  }
  const pool = new pg.Pool({ host, port: 5432, user: 'postgres', database: 'postgres', max: writers });
  await pool.query(SCHEMA);
  return {
    insert: (...params) => pool.query(INSERT, params),
    writers,
    ...(extraPid ? { extraPid } : {}),
    close: async () => {
      await pool.end();
      await stop();
    },
  };
}

async function rssMb(extraPid?: number): Promise<number> {
  let kb = Number((await readFile('/proc/self/status', 'utf8')).match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  if (extraPid)
    kb += Number((await readFile(`/proc/${extraPid}/status`, 'utf8')).match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function runOne(design: Design): Promise<RunResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pconn-placement-'));
  const target = await open(design, dataDir);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idleRssMb = await rssMb(target.extraPid);
  const lateness: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.max(0, now - last - 1));
    last = now;
  }, 1);
  const eluStart = performance.eventLoopUtilization();
  const started = performance.now();
  let next = 0;
  const writer = async () => {
    while (next < BATCHES) {
      next++;
      const ids = Array.from({ length: ROWS }, () => randomUUID());
      const bodies = ids.map((id) =>
        JSON.stringify({ id, contact: { phone: '+14155550123', name: 'Ada' }, n: next }),
      );
      await target.insert(
        ids,
        ids.map(() => 'default'),
        bodies,
      );
    }
  };
  await Promise.all(Array.from({ length: target.writers }, writer));
  const seconds = (performance.now() - started) / 1000;
  const mainElu = performance.eventLoopUtilization(eluStart).utilization;
  clearInterval(timer);
  const loadedRssMb = await rssMb(target.extraPid);
  await target.close();
  await rm(dataDir, { recursive: true, force: true });
  // A timer that never fired was late by the whole run.
  if (lateness.length === 0) lateness.push(seconds * 1000);
  lateness.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? NaN) * 10) / 10;
  return {
    design,
    rowsPerSecond: Math.round((BATCHES * ROWS) / seconds),
    lateP50: at(0.5),
    lateP99: at(0.99),
    lateMax: Math.round((lateness.at(-1) ?? NaN) * 10) / 10,
    mainElu: Math.round(mainElu * 100) / 100,
    idleRssMb,
    loadedRssMb,
  };
}

async function runInChild(design: Design): Promise<RunResult> {
  const child = fork(fileURLToPath(import.meta.url), [design], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out) as RunResult;
}

const single = process.argv[2] as Design | undefined;
if (single) {
  process.stdout.write(JSON.stringify(await runOne(single)));
  process.exit(0);
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const results: RunResult[] = [];
for (let round = 0; round < rounds; round++) {
  for (const design of DESIGNS) {
    const result = await runInChild(design);
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
for (const design of DESIGNS) {
  const mine = results.filter((r) => r.design === design);
  const rows = mine.map((r) => r.rowsPerSecond);
  process.stdout.write(
    `store_placement ${design}: ${median([...rows])} rows/s (rounds ${Math.min(...rows)}–${Math.max(...rows)}), ` +
      `1 ms timer late p99 ${median(mine.map((r) => r.lateP99))} ms (max ${Math.max(...mine.map((r) => r.lateMax))}), ` +
      `main ELU ${median(mine.map((r) => r.mainElu))}, RSS idle ${median(mine.map((r) => r.idleRssMb))} MB, loaded ${median(mine.map((r) => r.loadedRssMb))} MB\n`,
  );
}
