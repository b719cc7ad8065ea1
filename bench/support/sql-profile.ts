import pg from 'pg';

type Query = (this: unknown, ...args: unknown[]) => unknown;

/**
 * BENCH_SQL_PROFILE=1: counts and times every statement pconn sends through `pg` — to both store
 * kinds, since the embedded one is reached over the wire protocol too — by its text; `report()`
 * prints the top ones, to see which statements a measure spends the store's time on. A time is
 * the statement's round trip as the caller waits for it (queueing at the store included).
 */
export function profileSql(): { report: () => string; reset: () => void } {
  const stats = new Map<string, { n: number; ms: number }>();
  const proto = pg.Client.prototype as unknown as { query: Query };
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const result = query.apply(this, args);
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (!text || !(result instanceof Promise)) return result;
    const started = performance.now();
    const record = () => {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 120);
      const entry = stats.get(key) ?? { n: 0, ms: 0 };
      entry.n++;
      entry.ms += performance.now() - started;
      stats.set(key, entry);
    };
    return result.finally(record);
  };
  const report = () =>
    [...stats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 25)
      .map(([sql, { n, ms }]) => `${String(n).padStart(7)} ${ms.toFixed(0).padStart(7)} ms  ${sql}`)
      .join('\n');
  return { report, reset: () => stats.clear() };
}
