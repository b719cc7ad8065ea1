import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.ts';
import { migrate } from './migrate.ts';
import { PGliteDialect } from './pglite-dialect.ts';

/** Where the store lives: an embedded PGlite data dir (or image) or a PostgreSQL URL. */
export type StoreOptions =
  | { kind: 'pglite'; dataDir?: string; image?: Blob }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /** Told when PostgreSQL drops an idle pooled connection (restart, failover, a terminated backend). */
      onIdleConnectionError?: (error: Error) => void;
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

/** Opens the store described by `options` and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  let db: Db;
  let closeDriver: () => Promise<void>;
  if (options.kind === 'pglite') {
    if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
    const pglite = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.image ? { loadDataDir: options.image } : {}),
    });
    db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    closeDriver = async () => {
      if (!pglite.closed) await pglite.close();
    };
  } else {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // pg emits 'error' on the pool when the server drops an idle client (a restart, a failover,
    // pg_terminate_backend); without a listener that is an uncaught exception that ends the
    // process. The pool has already discarded the client and the next query opens a new one.
    pool.on('error', (error) => options.onIdleConnectionError?.(error));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    closeDriver = async () => {};
  }
  try {
    await migrate(db as unknown as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    await closeDriver();
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
      await closeDriver();
    },
  };
}
