import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * What the two PGlite dialects share (PGlite on this thread, pglite-dialect.ts; on the store's
 * thread, pglite-worker-dialect.ts): PostgreSQL's compiler, adapter and introspection, since
 * PGlite is PostgreSQL compiled to WebAssembly and the SQL is identical. Kysely 0.29 ships a
 * PGlite dialect, but 0.29 requires Node 22 and we run on Node 20.
 */
export abstract class PgliteFamilyDialect implements Dialect {
  abstract createDriver(): Driver;

  /** PostgreSQL's compiler: the SQL is identical. */
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  /** PostgreSQL's adapter (transactional DDL, `returning`, advisory-lock migrations). */
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  /** PostgreSQL's catalog introspection, which works unchanged on PGlite. */
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/** Savepoints as plain statements on the transaction's connection, for both PGlite drivers. */
export abstract class SavepointStatements {
  async savepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(savepointName)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(
      CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(savepointName)}`),
    );
  }

  async releaseSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(savepointName)}`));
  }
}

/** PGlite buffers whole results anyway, so streaming only bounds the size of each chunk handed out. */
const DEFAULT_STREAM_CHUNK_SIZE = 100;

/**
 * PGlite has no cursor API and materialises every result in memory, so a stream runs the query
 * once and yields it in `chunkSize` slices: the pg driver's interface, without its memory bound.
 */
export async function* streamInChunks<R>(
  execute: () => Promise<QueryResult<R>>,
  chunkSize: number = DEFAULT_STREAM_CHUNK_SIZE,
): AsyncIterableIterator<QueryResult<R>> {
  if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
    throw new Error(`PGliteDialect: chunkSize must be a positive integer, got ${chunkSize}`);
  }
  const { rows } = await execute();
  for (let start = 0; start < rows.length; start += chunkSize) {
    yield { rows: rows.slice(start, start + chunkSize) };
  }
}

/** `start transaction` with Kysely's settings; both come from fixed lists Kysely has validated. */
export function beginStatement(settings: TransactionSettings): string {
  const modes: string[] = [];
  if (settings.isolationLevel) modes.push(`isolation level ${settings.isolationLevel}`);
  if (settings.accessMode) modes.push(settings.accessMode);
  return modes.length > 0 ? `start transaction ${modes.join(', ')}` : 'begin';
}

/** Savepoint names are identifiers, not parameters, so they are quoted rather than bound. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
