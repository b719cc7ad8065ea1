import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { PLAN_EACH_RUN_MARK } from './plan-each-run.ts';

/** How many statements one connection keeps prepared; past that, new texts run unnamed. */
const PER_CONNECTION = 256;
/** A text is prepared from its second run on: a one-off text is not worth a server-side statement. */
const PREPARE_FROM_RUN = 2;
/** Texts whose runs are counted; the count starts over when this many have been seen. */
const COUNTED_TEXTS = 4096;

/**
 * Named prepared statements for PostgreSQL, keyed by SQL text, for Kysely's PostgresDialect.
 * pg sends every query as an unnamed statement, which the server parses and plans on every run:
 * measured on sip_cps_ratio_pg, planning alone was ~210 µs of the server's CPU per bridged call,
 * up to 1 ms for the accept path's group-commit statement. The store's statements are a fixed
 * set of texts (rows travel as one jsonb parameter), so naming them lets pg parse each once per
 * connection, and PostgreSQL keeps a generic plan once it judges it no worse than planning per
 * run (plan_cache_mode=auto). The embedded store does the same with its own protocol
 * (pglite-statements.ts).
 *
 * A statement marked PLAN_EACH_RUN_MARK runs unnamed (plan-each-run.ts says why). Only statements
 * with parameters are named: a text without any runs as a simple query, which may
 * hold several statements (migrations) and could not be prepared. `enabled: false` runs
 * everything unnamed, for a pooler in transaction mode that cannot keep a session's statements.
 */
export class PreparedStatementPool implements PostgresPool {
  readonly #runs = new Map<string, number>();
  readonly #names = new Map<string, string>();
  /** One wrapper per pooled connection, so that what it has prepared is known across checkouts. */
  readonly #clients = new WeakMap<pg.PoolClient, PreparingClient>();
  #nextId = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly enabled = true,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    if (!this.enabled) return client as unknown as PostgresPoolClient;
    let preparing = this.#clients.get(client);
    if (!preparing) {
      preparing = new PreparingClient(client, this);
      this.#clients.set(client, preparing);
    }
    return preparing;
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  /** The statement name of `text` once it has run often enough to be worth preparing. */
  nameFor(text: string): string | undefined {
    const name = this.#names.get(text);
    if (name !== undefined) return name;
    const runs = (this.#runs.get(text) ?? 0) + 1;
    if (runs < PREPARE_FROM_RUN) {
      if (this.#runs.size >= COUNTED_TEXTS) this.#runs.clear();
      this.#runs.set(text, runs);
      return undefined;
    }
    this.#runs.delete(text);
    const named = `pconn_${this.#nextId++}`;
    this.#names.set(text, named);
    return named;
  }
}

/** One pooled connection: the statements it has prepared, and whether a transaction is open. */
class PreparingClient implements PostgresPoolClient {
  /** Texts this connection may not run named (its cap was reached, or their plan went stale). */
  readonly #unnamed = new Set<string>();
  readonly #prepared = new Set<string>();
  #inTransaction = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly statements: PreparedStatementPool,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    const client = this.client as unknown as PostgresPoolClient;
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor);
    const values = [...(parameters ?? [])];
    this.#track(sqlOrCursor);
    const name =
      values.length > 0 && !sqlOrCursor.includes(PLAN_EACH_RUN_MARK) ? this.#nameFor(sqlOrCursor) : undefined;
    if (name === undefined) return client.query<R>(sqlOrCursor, values);
    return this.#runNamed<R>(name, sqlOrCursor, values);
  }

  release(destroy?: boolean): void {
    this.client.release(destroy);
  }

  #nameFor(text: string): string | undefined {
    if (this.#unnamed.has(text)) return undefined;
    const name = this.statements.nameFor(text);
    if (name === undefined || this.#prepared.has(text)) return name;
    if (this.#prepared.size >= PER_CONNECTION) {
      this.#unnamed.add(text);
      return undefined;
    }
    this.#prepared.add(text);
    return name;
  }

  async #runNamed<R>(name: string, text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    try {
      return (await this.client.query({ name, text, values })) as unknown as PostgresQueryResult<R>;
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      // A schema change (another node's migration) altered what the statement returns: this
      // connection runs the text unnamed from now on. Inside a transaction the failure aborted it,
      // so only a statement outside one is retried.
      this.#unnamed.add(text);
      if (this.#inTransaction) throw error;
      return (await this.client.query(text, values)) as unknown as PostgresQueryResult<R>;
    }
  }

  /** Follows the transaction state Kysely drives with plain statements (begin, commit, rollback). */
  #track(text: string): void {
    if (TRANSACTION_STARTS.test(text)) this.#inTransaction = true;
    else if (TRANSACTION_ENDS.test(text)) this.#inTransaction = false;
  }
}

const TRANSACTION_STARTS = /^\s*(begin|start\s+transaction)\b/i;
/** `rollback to savepoint` ends nothing. */
const TRANSACTION_ENDS = /^\s*(commit|end|rollback(?!\s+to\b))\b/i;

/** "cached plan must not change result type" (0A000): DDL changed a prepared statement's result. */
function isStalePlan(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change');
}
