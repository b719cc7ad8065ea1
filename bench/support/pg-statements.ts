import pg from 'pg';

/**
 * BENCH_PG_STATEMENTS=1: PostgreSQL's own account of a measure (pg_stat_statements, loaded by
 * the bench server when this is set): per statement, calls, total execution and planning time,
 * rows — to see which statements a PostgreSQL measure spends the server's CPU on — and each
 * table's statistics as the planner saw them when the measure began and as it ended (a plan
 * made on statistics taken mid-import shows there as rows far below the live count).
 */
export async function profileStatements(url: string): Promise<{ stop: () => Promise<string> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create extension if not exists pg_stat_statements');
  await client.query('select pg_stat_statements_reset()');
  const before = await tableStatistics(client);
  return {
    async stop() {
      const { rows } = await client.query<{
        calls: string;
        exec: number;
        plan: number;
        rows: string;
        texts: string;
        query: string;
      }>(
        // Statements that differ only past their first 110 characters (a VALUES list of another
        // length: each is its own entry) are summed as one.
        `select sum(calls) as calls, sum(total_exec_time) as exec, sum(total_plan_time) as plan,
                sum(rows) as rows, count(*) as texts,
                regexp_replace(left(query, 110), '[[:space:]]+', ' ', 'g') as query
           from pg_stat_statements
          where dbid = (select oid from pg_database where datname = current_database())
          group by regexp_replace(left(query, 110), '[[:space:]]+', ' ', 'g')
          order by sum(total_exec_time + total_plan_time) desc limit 25`,
      );
      const after = await tableStatistics(client);
      await client.end();
      const lines = rows.map(
        (r) =>
          `${String(r.calls).padStart(8)} ${r.exec.toFixed(0).padStart(7)} ms exec ${r.plan.toFixed(0).padStart(6)} ms plan ${String(r.rows).padStart(8)} rows ${String(r.texts).padStart(4)} texts  ${r.query}`,
      );
      return `pg_stat_statements (calls, exec, plan, rows, distinct texts):\n${lines.join('\n')}\ntables at the start, then at the end (the planner's pages and rows, pages and live rows now, rows changed since the last analyze, analyses by pconn and by autovacuum):\n${before}\n${after}`;
    },
  };
}

/** The tables' statistics as the planner sees them, beside what they hold, one line per table. */
async function tableStatistics(client: pg.Client): Promise<string> {
  const { rows } = await client.query<Record<string, string | number>>(
    `select c.relname, c.relpages, c.reltuples::bigint as reltuples,
            pg_relation_size(c.oid) / current_setting('block_size')::int as pages_now,
            s.n_live_tup, s.n_mod_since_analyze, s.analyze_count, s.autoanalyze_count
       from pg_class c join pg_stat_user_tables s on s.relid = c.oid
      where s.n_live_tup > 0 or c.reltuples > 0
      order by s.n_live_tup desc`,
  );
  return rows
    .map(
      (r) =>
        `  ${String(r.relname).padEnd(22)} planner ${r.relpages} pages ${r.reltuples} rows; now ${r.pages_now} pages ${r.n_live_tup} live, ${r.n_mod_since_analyze} changed since analyze; analyzed ${r.analyze_count} + ${r.autoanalyze_count} auto`,
    )
    .join('\n');
}
