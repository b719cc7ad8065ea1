import { PGlite } from '@electric-sql/pglite';
import { PgliteStatements } from '../../src/store/pglite-statements.ts';

type Query = (this: unknown, sql: string, params?: unknown[], options?: unknown) => Promise<unknown>;

interface Stat {
  n: number;
  ms: number;
  rows: number;
  /** Result size as JSON, a proxy for what PGlite parsed from the backend's DataRow messages. */
  bytes: number;
}

/**
 * BENCH_SQL_PROFILE=1 (installed on the embedded store's thread by profiled-store-thread.ts):
 * counts and times every PGlite statement by its text — those the store
 * runs prepared (`PgliteStatements#run`, every statement with parameters) and the rest
 * (`PGlite#query`) — with the rows and bytes each returned; `report()` prints the top ones, to see
 * which statements a measure spends the store's single thread on. Times include waiting for the
 * backend when the statement was queued behind another.
 */
export function profileSql(): { report: () => string; reset: () => void } {
  const stats = new Map<string, Stat>();
  const wrap = (query: Query): Query =>
    async function (this: unknown, sql, params, options) {
      const started = performance.now();
      let result: unknown;
      try {
        result = await query.call(this, sql, params, options);
        return result;
      } finally {
        const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
        const entry = stats.get(key) ?? { n: 0, ms: 0, rows: 0, bytes: 0 };
        const rows = (result as { rows?: unknown[] } | undefined)?.rows ?? [];
        entry.n++;
        entry.ms += performance.now() - started;
        entry.rows += rows.length;
        entry.bytes += rows.length > 0 ? JSON.stringify(rows).length : 0;
        stats.set(key, entry);
      }
    };
  const pglite = PGlite.prototype as unknown as { query: Query };
  pglite.query = wrap(pglite.query);
  const prepared = PgliteStatements.prototype as unknown as { run: Query };
  prepared.run = wrap(prepared.run);
  const report = () =>
    [...stats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 25)
      .map(
        ([sql, { n, ms, rows, bytes }]) =>
          `${String(n).padStart(7)} ${ms.toFixed(0).padStart(7)} ms ${String(rows).padStart(7)} rows ${(bytes / 1024).toFixed(0).padStart(7)} KB  ${sql}`,
      )
      .join('\n');
  return { report, reset: () => stats.clear() };
}
