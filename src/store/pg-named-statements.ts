import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { isStaleStatement } from './stale-statement.ts';

/** How many statements each connection keeps prepared; the least recently used is deallocated beyond. */
const DEFAULT_CAPACITY = 128;

/** pg's record of what a connection has parsed (`Connection#parsedStatements`, pg 8). */
interface ParsedStatements {
  parsedStatements?: Record<string, string>;
}

/**
 * A pg pool whose clients run every statement with parameters as a named prepared statement,
 * per connection, so PostgreSQL plans the store's repeated statements (a fixed set of texts,
 * group-committed with their rows in one jsonb parameter) once per connection instead of on
 * every run — the same reason as the embedded store's `PgliteStatements`. pg itself prepares
 * a query once per connection when it has a `name`, but never forgets one: texts that vary (a
 * VALUES list per batch size) would pile up in every backend. So each connection keeps at most
 * `capacity`, deallocating the least recently used outside transactions.
 */
export function namedStatementPool(pool: pg.Pool, capacity = DEFAULT_CAPACITY): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, NamedStatementClient>();
  return {
    async connect() {
      const client = await pool.connect();
      // Kysely keeps one connection object per client it is handed: hand it the same wrapper.
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = new NamedStatementClient(client, capacity);
        wrappers.set(client, wrapper);
      }
      return wrapper as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

class NamedStatementClient {
  readonly #names = new Map<string, string>();
  #toDeallocate: string[] = [];
  #nextId = 0;
  #inTransaction = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly capacity: number,
  ) {}

  release(destroy?: boolean): void {
    this.client.release(destroy);
  }

  async query<R>(text: string, values: readonly unknown[]): Promise<PostgresQueryResult<R>> {
    this.#trackTransaction(text);
    const parsed = (this.client as unknown as { connection?: ParsedStatements }).connection;
    // Without pg's record of parsed statements a forgotten one could not be parsed again.
    if (values.length === 0 || !parsed?.parsedStatements) return this.#plain<R>(text, values);
    if (!this.#inTransaction) await this.#deallocateEvicted();
    const name = this.#nameOf(text, parsed);
    try {
      return (await this.client.query({
        name,
        text,
        values: [...values],
      })) as unknown as PostgresQueryResult<R>;
    } catch (error) {
      if (!isStaleStatement(error)) throw error;
      this.#forget(text, parsed);
      // Inside a transaction the failure aborted it: a second try would only fail again.
      if (this.#inTransaction) throw error;
      return (await this.client.query({
        name: this.#nameOf(text, parsed),
        text,
        values: [...values],
      })) as unknown as PostgresQueryResult<R>;
    }
  }

  async #plain<R>(text: string, values: readonly unknown[]): Promise<PostgresQueryResult<R>> {
    return (await this.client.query(text, [...values])) as unknown as PostgresQueryResult<R>;
  }

  #nameOf(text: string, parsed: ParsedStatements): string {
    const known = this.#names.get(text);
    if (known !== undefined) {
      // Moves it to the end of the map's order: the first key is the least recently used.
      this.#names.delete(text);
      this.#names.set(text, known);
      return known;
    }
    const name = `pconn_${this.#nextId++}`;
    this.#names.set(text, name);
    if (this.#names.size > this.capacity) {
      const [oldest] = this.#names.keys();
      if (oldest !== undefined) this.#forget(oldest, parsed);
    }
    return name;
  }

  #forget(text: string, parsed: ParsedStatements): void {
    const name = this.#names.get(text);
    if (name === undefined) return;
    this.#names.delete(text);
    if (parsed.parsedStatements) delete parsed.parsedStatements[name];
    this.#toDeallocate.push(name);
  }

  /** Frees evicted statements in the backend (names are never reused, so a failure only leaks). */
  async #deallocateEvicted(): Promise<void> {
    if (this.#toDeallocate.length === 0) return;
    const names = this.#toDeallocate;
    this.#toDeallocate = [];
    await this.client.query(names.map((name) => `deallocate ${name}`).join(';')).catch(() => undefined);
  }

  /** Kysely opens and ends transactions with these exact statements on the connection it holds. */
  #trackTransaction(text: string): void {
    if (/^(begin|start transaction)\b/i.test(text)) this.#inTransaction = true;
    else if (/^(commit|rollback)\s*$/i.test(text)) this.#inTransaction = false;
  }
}
