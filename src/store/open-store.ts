import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.ts';
import { migrate } from './migrate.ts';
import { runStatementsPrepared } from './pg-named-statements.ts';
import { PgliteWorkerClient } from './pglite-worker-client.ts';
import { PgliteWorkerDialect } from './pglite-worker-dialect.ts';
import { placeOperations } from './store-operation.ts';

/** Where the store lives: an embedded PGlite data dir (or image) or a PostgreSQL URL. */
export type StoreOptions =
  | {
      kind: 'pglite';
      dataDir?: string;
      image?: Blob;
      /** Told if the store's thread ends without a close (a crash): every query fails from then on. */
      onThreadCrash?: (error: Error) => void;
      /**
       * The store thread's entry, when not src/wiring/store-thread.ts: a bench's that profiles the
       * statements first, then loads that one (it must serve the same operations).
       */
      threadEntry?: URL;
    }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /** Told when PostgreSQL drops an idle pooled connection (restart, failover, a terminated backend). */
      onIdleConnectionError?: (error: Error) => void;
      /** Parameterized statements run as named prepared statements (default; pg-named-statements.ts). */
      preparedStatements?: boolean;
    };

/** An open, migrated store. */
export interface Store {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// pg returns bigint (int8) as string by default; our sequences stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/**
 * PostgreSQL's memory settings inside PGlite, sized for one embedded node rather than a server
 * (docs/performance.md "Memory"): its shared buffers are touched at start-up, so the default
 * 128 MB is 128 MB of resident memory on an idle node. 16 MB holds the accept path's working set
 * under load: with 8 MB the store's thread spent a fifth of its time reading evicted pages back
 * from the data dir's files (accept_ratio 1,540–1,660 req/s against 1,760–1,850, 2026-12-06),
 * for 10 MB more idle RSS.
 */
const PGLITE_SETTINGS = [
  'shared_buffers=16MB',
  'temp_buffers=1MB',
  'wal_buffers=1MB',
  'maintenance_work_mem=16MB',
  // Statements run prepared (PgliteStatements), and PostgreSQL's own choice between a plan per
  // run and a cached generic plan is left on (`auto`: five custom plans, then the generic one
  // while its estimated cost is no worse; ANALYZE, which store maintenance runs as tables grow,
  // invalidates it). Planning is dear here: it sizes every relation and index it considers, and
  // each size is an fstat through Emscripten's file system (a primary-key lookup: 149 µs planned
  // per run, 57 µs on its cached plan). Measured with plans made on every run instead: a lone
  // call's statements took 14.2 ms of the store's thread against 7.2 ms, and dial_latency_p50
  // 23 ms against 10.5 ms. The store's batch statements bind their rows as one jsonb parameter,
  // whose values no plan sees, so their plans do not depend on the values bound.
  'plan_cache_mode=auto',
];

/**
 * Creates a fresh PGlite data dir (initdb) in a short-lived child process. PGlite runs initdb as
 * a second WebAssembly instance that its process keeps, freed or not, for good: ~430 MB of
 * resident memory on a node whose first start created its data dir. A data dir that exists
 * already is left alone.
 */
async function initDataDirApart(dataDir: string): Promise<void> {
  const exists = await access(join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const script = `const { PGlite } = await import(${JSON.stringify(import.meta.resolve('@electric-sql/pglite'))});
const pglite = await PGlite.create({ dataDir: process.argv[1] });
await pglite.close();`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script, dataDir]);
}

/** Opens the store described by `options` and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  // Kysely's destroy ends either store: the pool, or the store's thread (its driver closes it).
  let db: Db;
  if (options.kind === 'pglite') {
    if (options.dataDir) {
      await mkdir(options.dataDir, { recursive: true });
      if (!options.image) await initDataDirApart(options.dataDir);
    }
    const client = await PgliteWorkerClient.start(
      {
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.image ? { image: options.image } : {}),
        settings: PGLITE_SETTINGS,
      },
      options.onThreadCrash,
      options.threadEntry,
    );
    db = new Kysely<Database>({ dialect: new PgliteWorkerDialect(client) });
    placeOperations(db, (name, args) => client.request({ kind: 'operation', name, args }));
  } else {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // pg emits 'error' on the pool when the server drops an idle client (a restart, a failover,
    // pg_terminate_backend); without a listener that is an uncaught exception that ends the
    // process. The pool has already discarded the client and the next query opens a new one.
    pool.on('error', (error) => options.onIdleConnectionError?.(error));
    if (options.preparedStatements !== false) runStatementsPrepared(pool);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    await migrate(db as unknown as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    kind: options.kind,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
