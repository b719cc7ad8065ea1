import { type PGliteInterface, parse, protocol } from '@electric-sql/pglite';
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
import { PgliteStatements } from './pglite-statements.ts';

/** What {@link PGliteDialect} needs: the PGlite instance it runs every query on. */
export interface PGliteDialectConfig {
  /**
   * The embedded database. The dialect owns it from here on: `Kysely#destroy()` closes it (if it
   * is still open), so callers that close it themselves must tolerate it being closed already.
   */
  pglite: PGliteInterface;
}

/** A Kysely dialect over an embedded PGlite database on this thread (the store's thread uses it). */
export class PGliteDialect extends PgliteFamilyDialect {
  readonly #config: PGliteDialectConfig;

  /** Wraps `config.pglite`; nothing runs until Kysely initialises the driver on the first query. */
  constructor(config: PGliteDialectConfig) {
    super();
    this.#config = config;
  }

  /** A driver handing out PGlite's one connection to one holder at a time. */
  createDriver(): Driver {
    return new PGliteDriver(this.#config.pglite);
  }
}

/** Commands whose affected-row count Kysely reports as `numAffectedRows` (as the pg driver does). */
const ROW_WRITING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * PGlite has exactly one backend session, unlike a pg pool. A transaction is `begin`, statements and
 * `commit` sent on that session, so any query sent by someone else in between would run inside (and
 * could commit or roll back) that transaction. This driver therefore hands the connection to one
 * holder at a time: Kysely holds it for one query, or from `begin` to `commit`/`rollback`, and everyone
 * else waits in line.
 */
export class PGliteDriver extends SavepointStatements implements Driver {
  readonly #pglite: PGliteInterface;
  readonly #connection: PGliteConnection;
  readonly #lock = new ConnectionLock();
  #destroyed = false;

  constructor(pglite: PGliteInterface) {
    super();
    this.#pglite = pglite;
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    // PGlite.create() resolves ready, but `new PGlite()` does not: wait so the first query cannot race startup.
    await this.#pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) throw new Error('PGliteDialect: the driver has been destroyed');
    await this.#lock.acquire();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as PGliteConnection).executeCommand(beginStatement(settings));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const result = await (connection as PGliteConnection).executeCommand('commit');
    // After a failed statement PostgreSQL answers COMMIT with a ROLLBACK tag instead of an error;
    // without this check a caller that swallowed the failure would believe its writes were kept.
    if (result.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).executeCommand('rollback');
  }

  async releaseConnection(): Promise<void> {
    this.#lock.release();
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    // Take the connection first so a query or transaction still running finishes before the close.
    await this.#lock.acquire();
    try {
      if (!this.#pglite.closed) await this.#pglite.close();
    } finally {
      this.#lock.release();
    }
  }
}

/** PGlite's session as Kysely's `DatabaseConnection`; only ever used by the current lock holder. */
export class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGliteInterface;
  readonly #statements: PgliteStatements;

  constructor(pglite: PGliteInterface) {
    this.#pglite = pglite;
    this.#statements = new PgliteStatements(pglite);
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // Statements with parameters are the store's repeated ones: they run prepared (parsed once,
    // one call into the backend per run; still planned per run, see PGLITE_SETTINGS). The rest
    // (BEGIN, COMMIT, DDL, scripts of several statements, which a prepared statement cannot hold)
    // go through PGlite's own query.
    const result =
      compiledQuery.parameters.length > 0
        ? await this.#statements.run<R>(compiledQuery.sql, compiledQuery.parameters)
        : await this.#pglite.query<R>(compiledQuery.sql);
    // PGlite reports affectedRows 0 for selects and DDL too; only row-writing commands carry a
    // meaningful count, and leaving it undefined elsewhere matches what the pg driver returns.
    if (result.command !== undefined && ROW_WRITING_COMMANDS.has(result.command)) {
      return { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? 0) };
    }
    return { rows: result.rows };
  }

  /**
   * Runs a transaction-control statement (BEGIN, COMMIT, ROLLBACK) as one simple-protocol Query
   * message, one call into the backend, and keeps its command tag, which `QueryResult` has no
   * place for. `PGlite#query` sends six (Parse, Describe, Bind, Describe, Execute, Sync): a BEGIN
   * and COMMIT pair cost ~46 µs that way against ~14 µs, on a store that runs ~150 transactions a
   * second under sip_cps_ratio.
   */
  async executeCommand(statement: string): Promise<{ command: string | undefined }> {
    const { messages } = await this.#pglite.execProtocol(protocol.serialize.query(statement));
    const [result] = parse.parseResults(messages, this.#pglite.parsers);
    return { command: result?.command };
  }

  /** The query run once, handed out in slices (streamInChunks). */
  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return streamInChunks(() => this.executeQuery<R>(compiledQuery), chunkSize);
  }
}

/**
 * A FIFO lock whose release hands ownership straight to the next waiter, so a newcomer can never
 * slip in between a release and the waiter it wakes (which would break first-come-first-served).
 */
class ConnectionLock {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}
