import pg from 'pg';

/**
 * BENCH_PG_STATEMENTS=1: PostgreSQL's own account of a measure (pg_stat_statements, loaded by
 * the bench server when this is set): per statement, calls, total execution and planning time,
 * rows — to see which statements a PostgreSQL measure spends the server's CPU on.
 */
export async function profileStatements(url: string): Promise<{ stop: () => Promise<string> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create extension if not exists pg_stat_statements');
  await client.query('select pg_stat_statements_reset()');
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
      await client.end();
      const lines = rows.map(
        (r) =>
          `${String(r.calls).padStart(8)} ${r.exec.toFixed(0).padStart(7)} ms exec ${r.plan.toFixed(0).padStart(6)} ms plan ${String(r.rows).padStart(8)} rows ${String(r.texts).padStart(4)} texts  ${r.query}`,
      );
      return `pg_stat_statements (calls, exec, plan, rows, distinct texts):\n${lines.join('\n')}`;
    },
  };
}
