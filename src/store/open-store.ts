import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.ts';
import { type EmbeddedStore, startEmbeddedStore } from './embedded/embedded-store.ts';
import { migrate } from './migrate.ts';

/** Where the store lives: an embedded PGlite data dir (or image) or a PostgreSQL URL. */
export type StoreOptions =
  | {
      kind: 'pglite';
      dataDir?: string;
      /** A data dir dumped by `Store.dump()` to start from, in memory (tests). */
      image?: Uint8Array;
      /** Told when the embedded store's thread ends on its own: the store is gone. */
      onFailure?: (error: Error) => void;
    }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /** Told when PostgreSQL drops an idle pooled connection (restart, failover, a terminated backend). */
      onIdleConnectionError?: (error: Error) => void;
    };

/**
 * Connections to the embedded store. PGlite runs one statement at a time, so more connections
 * add no parallelism; two let the next statement wait at the store while one runs, instead of
 * in the pool behind a round trip. Measured (docs/performance.md): 1 vs 2 within the noise.
 */
const EMBEDDED_POOL_SIZE = 2;

/** An open, migrated store. */
export interface Store {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Embedded store only: its data dir as a gzip tarball (tests build their migrated image with it). */
  dump?: () => Promise<Uint8Array>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// pg returns bigint (int8) as string by default; our sequences stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** Opens the store described by `options` and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  // The embedded store runs PGlite on a thread of its own behind the wire protocol: from here
  // on both kinds are the same pg pool and the same Kysely dialect.
  let embedded: EmbeddedStore | undefined;
  let pool: pg.Pool;
  if (options.kind === 'pglite') {
    embedded = await startEmbeddedStore(
      {
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.image ? { image: options.image } : {}),
      },
      options.onFailure,
    );
    pool = new pg.Pool({
      host: embedded.host,
      port: embedded.port,
      user: 'postgres',
      database: 'postgres',
      max: EMBEDDED_POOL_SIZE,
    });
  } else {
    pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  }
  // pg emits 'error' on the pool when the server drops an idle client (a restart, a failover,
  // pg_terminate_backend); without a listener that is an uncaught exception that ends the
  // process. The pool has already discarded the client and the next query opens a new one.
  pool.on('error', (error) => {
    if (options.kind === 'postgres') options.onIdleConnectionError?.(error);
  });
  const db: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const closeDriver = async () => {
    await embedded?.stop();
  };
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
    ...(embedded ? { dump: embedded.dump } : {}),
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
