import { PGlite } from '@electric-sql/pglite';

type Query = (this: unknown, sql: string, params?: unknown[], options?: unknown) => Promise<unknown>;

/**
 * BENCH_SQL_PROFILE=1: counts and times every PGlite statement (inside and outside
 * transactions) by its text; `report()` prints the top ones — to see which
 * statements a measure spends the store's single thread on.
 */
export function profileSql(): { report: () => string; reset: () => void } {
  const stats = new Map<string, { n: number; ms: number }>();
  const wrap = (query: Query): Query =>
    async function (this: unknown, sql, params, options) {
      const started = performance.now();
      try {
        return await query.call(this, sql, params, options);
      } finally {
        const key = sql.replace(/\s+/g, ' ').trim().slice(0, 120);
        const entry = stats.get(key) ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - started;
        stats.set(key, entry);
      }
    };
  const proto = PGlite.prototype as unknown as { query: Query; transaction: Query };
  proto.query = wrap(proto.query);
  const transaction = proto.transaction;
  proto.transaction = function (this: unknown, callback: unknown) {
    return transaction.call(this, ((tx: { query: Query }) => {
      tx.query = wrap(tx.query.bind(tx));
      return (callback as (tx: unknown) => unknown)(tx);
    }) as never);
  };
  const report = () =>
    [...stats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 25)
      .map(([sql, { n, ms }]) => `${String(n).padStart(7)} ${ms.toFixed(0).padStart(7)} ms  ${sql}`)
      .join('\n');
  return { report, reset: () => stats.clear() };
}
