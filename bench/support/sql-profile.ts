import { writeSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PgliteStatements } from '../../src/store/pglite-statements.ts';

type Query = (this: unknown, sql: string, params?: unknown[], options?: unknown) => Promise<unknown>;

interface Stat {
  n: number;
  ms: number;
  /** Of `ms`, the time inside PGlite's backend (its synchronous protocol call). */
  backendMs: number;
  rows: number;
  /** Result size as JSON, a proxy for what PGlite parsed from the backend's DataRow messages. */
  bytes: number;
  /** The longest single run: a statement re-planned after an ANALYZE shows here, not in the sum. */
  maxMs: number;
}

/**
 * BENCH_SQL_EXPLAIN=N: the Nth run of every prepared statement comes with its plan
 * (explainPrepared): after it for a read, before it, rolled back, for a write.
 */
const EXPLAIN_AT = Number(process.env.BENCH_SQL_EXPLAIN ?? 0);
const isRead = (sql: string) => /^\s*(select|with)\b/i.test(sql) && !/\b(insert|update|delete)\b/i.test(sql);
const short = (sql: string, length = 110) => sql.replace(/\s+/g, ' ').trim().slice(0, length);

/** A bound value as a SQL literal, for `EXECUTE name(…)`, which takes no protocol parameters. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = Array.isArray(value)
    ? `{${value.map((item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`).join(',')}}`
    : value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Prints the plan a prepared statement really runs — the generic plan once PostgreSQL has settled
 * on it, which an EXPLAIN of the statement's text (planned for the values at hand) does not show —
 * by running it once more under EXPLAIN ANALYZE. A write runs so just before its real run, inside
 * a transaction (or savepoint) rolled back, so nothing is written twice.
 */
async function explainPrepared(statements: PgliteStatements, sql: string, params: unknown[] = []) {
  await printPlan(statements, sql, params).catch((error: unknown) =>
    writeSync(2, `plan of ${short(sql)} not shown: ${(error as Error).message}\n`),
  );
}

async function printPlan(statements: PgliteStatements, sql: string, params: unknown[]) {
  const name = statements.preparedName(sql);
  if (name === undefined) return;
  const pglite = (statements as unknown as { pglite: PGlite }).pglite;
  const explain = `explain (analyze, buffers) execute ${name}(${params.map(literal).join(', ')})`;
  let plan: { rows: { 'QUERY PLAN': string }[] };
  if (isRead(sql)) plan = await pglite.query<{ 'QUERY PLAN': string }>(explain);
  else {
    const nested = pglite.isInTransaction();
    await pglite.query(nested ? 'savepoint explain_write' : 'begin');
    try {
      plan = await pglite.query<{ 'QUERY PLAN': string }>(explain);
    } finally {
      await pglite.query(nested ? 'rollback to savepoint explain_write' : 'rollback');
    }
  }
  const counts = await pglite.query<{ generic_plans: number; custom_plans: number }>(
    'select generic_plans::int, custom_plans::int from pg_prepared_statements where name = $1',
    [name],
  );
  const { generic_plans = 0, custom_plans = 0 } = counts.rows[0] ?? {};
  writeSync(
    2,
    `plan of ${short(sql)} (so far ${generic_plans} runs on its generic plan, ${custom_plans} planned for their values)\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}\n`,
  );
}

/**
 * BENCH_SQL_PROFILE=1 (installed on the embedded store's thread by profiled-store-thread.ts):
 * counts and times every PGlite statement by its text — those the store
 * runs prepared (`PgliteStatements#run`, every statement with parameters) and the rest
 * (`PGlite#query`) — with the time spent inside PGlite's backend, and the rows and bytes each
 * returned; `report()` prints the top ones, to see which statements a measure spends the store's
 * single thread on. The rest of a statement's time is serializing its parameters and parsing its
 * results on the thread.
 */
export function profileSql(): { report: () => string; reset: () => void } {
  const stats = new Map<string, Stat>();
  let backendMs = 0;
  const pglite = PGlite.prototype as unknown as {
    query: Query;
    execProtocolRawSync: (...a: unknown[]) => unknown;
  };
  const rawSync = pglite.execProtocolRawSync;
  pglite.execProtocolRawSync = function (this: unknown, ...args: unknown[]) {
    const started = performance.now();
    try {
      return rawSync.apply(this, args);
    } finally {
      backendMs += performance.now() - started;
    }
  };
  const wrap = (query: Query): Query =>
    async function (this: unknown, sql, params, options) {
      const key = short(sql);
      // Only with BENCH_SQL_EXPLAIN: the text's tests cost a pass over it on every statement.
      const explaining = EXPLAIN_AT > 0 && this instanceof PgliteStatements ? this : undefined;
      if (explaining && stats.get(key)?.n === EXPLAIN_AT - 1 && !isRead(sql))
        await explainPrepared(explaining, sql, params);
      const started = performance.now();
      const backendBefore = backendMs;
      let result: unknown;
      try {
        result = await query.call(this, sql, params, options);
        return result;
      } finally {
        const entry = stats.get(key) ?? { n: 0, ms: 0, backendMs: 0, rows: 0, bytes: 0, maxMs: 0 };
        const rows = (result as { rows?: unknown[] } | undefined)?.rows ?? [];
        const elapsed = performance.now() - started;
        entry.n++;
        entry.ms += elapsed;
        entry.maxMs = Math.max(entry.maxMs, elapsed);
        entry.backendMs += backendMs - backendBefore;
        entry.rows += rows.length;
        entry.bytes += rows.length > 0 ? JSON.stringify(rows).length : 0;
        stats.set(key, entry);
        if (explaining && entry.n === EXPLAIN_AT && isRead(sql))
          await explainPrepared(explaining, sql, params);
      }
    };
  pglite.query = wrap(pglite.query);
  const prepared = PgliteStatements.prototype as unknown as { run: Query };
  prepared.run = wrap(prepared.run);
  const report = () =>
    [...stats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 25)
      .map(
        ([sql, { n, ms, backendMs, rows, bytes, maxMs }]) =>
          `${String(n).padStart(7)} ${ms.toFixed(0).padStart(7)} ms (backend ${backendMs.toFixed(0).padStart(6)}, longest ${maxMs.toFixed(1).padStart(6)}) ${String(rows).padStart(7)} rows ${(bytes / 1024).toFixed(0).padStart(7)} KB  ${sql}`,
      )
      .join('\n');
  return { report, reset: () => stats.clear() };
}
