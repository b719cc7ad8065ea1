import pg from 'pg';

/**
 * BENCH_PG_WAITS=1: samples `pg_stat_activity` of one database every 20 ms and counts what its
 * backends were doing (active on CPU, or the wait event they were in) — to see whether a
 * PostgreSQL measure is bound by locks, commits (WAL fsync) or CPU.
 */
export async function sampleWaits(url: string): Promise<{ stop: () => Promise<string> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ what: string; n: string }>(
        `select coalesce(wait_event_type || ':' || wait_event, 'cpu') || '  ' ||
                regexp_replace(left(query, 90), '[[:space:]]+', ' ', 'g') as what, count(*) as n
           from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and state = 'active'
          group by 1`,
      );
      samples++;
      for (const row of rows) counts.set(row.what, (counts.get(row.what) ?? 0) + Number(row.n));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      const lines = [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([what, n]) => `  ${what}: ${(n / samples).toFixed(2)} backends on average`);
      return `pg activity over ${samples} samples:\n${lines.join('\n')}`;
    },
  };
}
