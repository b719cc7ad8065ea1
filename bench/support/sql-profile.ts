import pg from 'pg';

type Query = (this: unknown, ...args: unknown[]) => unknown;

/**
 * BENCH_SQL_PROFILE=1: counts and times every statement sent through `pg` (both stores speak to
 * pg: the embedded one on its worker thread, PostgreSQL over its socket) by its text;
 * `report()` prints the top ones — to see which statements a measure spends the store on.
 * The time runs from sending a statement to its answer, so it includes the store's queue.
 */
export function profileSql(): { report: () => string; reset: () => void } {
  const stats = new Map<string, { n: number; ms: number }>();
  const proto = pg.Client.prototype as unknown as { query: Query };
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [text] = args;
    const result = query.apply(this, args);
    // Kysely sends (text, parameters) and awaits the promise; pg's own internal calls are left alone.
    if (typeof text !== 'string' || !(result instanceof Promise)) return result;
    const started = performance.now();
    const record = () => {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 120);
      const entry = stats.get(key) ?? { n: 0, ms: 0 };
      entry.n++;
      entry.ms += performance.now() - started;
      stats.set(key, entry);
    };
    return result.then(
      (value) => {
        record();
        return value;
      },
      (error) => {
        record();
        throw error;
      },
    );
  };
  const report = () =>
    [...stats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 25)
      .map(([sql, { n, ms }]) => `${String(n).padStart(7)} ${ms.toFixed(0).padStart(7)} ms  ${sql}`)
      .join('\n');
  return { report, reset: () => stats.clear() };
}
