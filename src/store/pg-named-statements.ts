import type pg from 'pg';
import { staleStatement } from './stale-statement.ts';

/** Distinct statements one connection keeps prepared; past that, statements run unnamed. */
const DEFAULT_CAPACITY = 256;

type Query = (...args: unknown[]) => Promise<unknown>;

/** What pg keeps per connection of the statements it parsed (name → text), to skip a second Parse. */
interface ParsedStatements {
  connection: { parsedStatements: Record<string, string> };
}

/** Each text's name in this process: the same on every connection of the pool. */
const names = new Map<string, string>();
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  // The store's texts are a fixed set (fixed-statement-texts.test.ts); the bound is a guard.
  if (name === undefined && names.size < 4 * DEFAULT_CAPACITY) {
    name = `pconn_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs the store's parameterized statements on PostgreSQL as named prepared statements, as the
 * embedded store does (pglite-statements.ts): `pg` sends every other statement unnamed, so the
 * server parses and plans it again on every run, and the accept batch's statements are large
 * CTEs whose planning was ~40 % of PostgreSQL's time on accept_ratio_pg (pg_stat_statements:
 * 2 ms of plan a batch against 3.2 ms of execution). A statement is parsed once per connection;
 * PostgreSQL keeps its generic plan once it judged it no worse than planning per run
 * (plan_cache_mode=auto). Each connection prepares at most `capacity` texts; further ones run
 * unnamed. Statements without parameters stay unnamed (pg then uses the simple protocol).
 *
 * A prepared statement the server no longer has (26000: `DEALLOCATE`, `DISCARD ALL`, a pooler
 * that moved the session) or whose plan a schema change made unusable (0A000 "cached plan must
 * not change result type", after another node's migration) is prepared again and run once more
 * — outside a transaction only, as inside one the failure has already aborted it. Transaction-
 * mode poolers that do not track prepared statements need this off (PCONN_PG_PREPARED=off).
 */
export function runStatementsPrepared(pool: pg.Pool, capacity = DEFAULT_CAPACITY): void {
  pool.on('connect', (client) => {
    const prepared = new Set<string>();
    const query = client.query.bind(client) as Query;
    const parsed = (client as unknown as ParsedStatements).connection.parsedStatements;
    const runNamed = async (
      name: string,
      text: string,
      values: unknown[],
      retried = false,
    ): Promise<unknown> => {
      try {
        return await query({ name, text, values });
      } catch (error) {
        const stale = staleStatement(error);
        if (!stale || retried || client.getTransactionStatus() !== 'I') throw error;
        delete parsed[name];
        if (stale === 'plan') await query(`deallocate "${name}"`);
        return runNamed(name, text, values, true);
      }
    };
    (client as unknown as { query: Query }).query = (text: unknown, values: unknown, ...rest: unknown[]) => {
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || rest.length > 0)
        return query(text, values, ...rest);
      const name = nameOf(text);
      if (name === undefined) return query(text, values);
      if (!prepared.has(name)) {
        if (prepared.size >= capacity) return query(text, values);
        prepared.add(name);
      }
      return runNamed(name, text, values);
    };
  });
}
