import {
  AbortedTransactionError,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import {
  beginStatement,
  PgliteFamilyDialect,
  SavepointStatements,
  streamInChunks,
} from './pglite-dialect-parts.ts';
import type { PgliteWorkerClient } from './pglite-worker-client.ts';
import type { WorkerRows } from './pglite-worker-protocol.ts';

/**
 * A Kysely dialect over PGlite running in its worker thread (pglite-worker.ts): the same SQL as
 * PostgreSQL, each statement one message to the worker and one back. The worker hands PGlite's
 * one session to one transaction or lone statement at a time, so this side needs no lock.
 */
export class PgliteWorkerDialect extends PgliteFamilyDialect {
  constructor(private readonly client: PgliteWorkerClient) {
    super();
  }

  /** A driver whose connections are handles naming a transaction in the worker. */
  createDriver(): Driver {
    return new PgliteWorkerDriver(this.client);
  }
}

class PgliteWorkerDriver extends SavepointStatements implements Driver {
  #nextSession = 1;

  constructor(private readonly client: PgliteWorkerClient) {
    super();
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgliteWorkerConnection(this.client, this.#nextSession++);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    (connection as PgliteWorkerConnection).begin(beginStatement(settings));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteWorkerConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteWorkerConnection).end('rollback');
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.client.close();
  }
}

/** A handle Kysely holds for one query, or from `begin` to `commit`/`rollback` (a worker session). */
class PgliteWorkerConnection implements DatabaseConnection {
  #inTransaction = false;
  /** The transaction's opening statement, sent with its first statement (one message fewer). */
  #begin: string | undefined;

  constructor(
    private readonly client: PgliteWorkerClient,
    private readonly session: number,
  ) {}

  begin(sql: string): void {
    this.#inTransaction = true;
    this.#begin = sql;
  }

  async end(kind: 'commit' | 'rollback'): Promise<void> {
    this.#inTransaction = false;
    // Nothing was sent: there is no transaction in the worker to end.
    if (this.#begin !== undefined) {
      this.#begin = undefined;
      return;
    }
    try {
      await this.client.request({ kind, session: this.session });
    } catch (error) {
      // The worker's driver found COMMIT answered with ROLLBACK (a statement had failed): the
      // same error Kysely's own drivers throw, so callers need not know where the store runs.
      if ((error as Error).name === 'AbortedTransactionError') throw new AbortedTransactionError();
      throw error;
    }
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const request = this.client.request({
      kind: 'query',
      sql: compiledQuery.sql,
      params: compiledQuery.parameters,
      ...(this.#inTransaction ? { session: this.session } : {}),
      ...(this.#begin !== undefined ? { begin: this.#begin } : {}),
    });
    this.#begin = undefined;
    const result = (await request) as WorkerRows | undefined;
    const rows = (result?.rows ?? []) as R[];
    return result?.affected !== undefined ? { rows, numAffectedRows: result.affected } : { rows };
  }

  /** The worker materialises every result (PGlite has no cursors): it comes back in slices. */
  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return streamInChunks(() => this.executeQuery<R>(compiledQuery), chunkSize);
  }
}
