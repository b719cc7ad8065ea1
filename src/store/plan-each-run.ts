import { sql } from 'kysely';

/**
 * The text that marks a statement PostgreSQL must plan on every run, never from a cached generic
 * plan: pg-prepared-pool.ts runs a statement that contains it unnamed.
 *
 * A claim's `LIMIT $n` is what needs it. A generic plan cannot see the limit and assumes a tenth
 * of the rows, so it picks a hash join over a sequential scan of `calls`; and a generic plan made
 * while the table was still small (a fresh database, its first claims) is kept once PostgreSQL
 * has judged it no worse than planning per run, until an ANALYZE invalidates it. Measured on
 * sip_cps_ratio_pg: such claims took 46 ms each against 7 ms planned per run.
 */
export const PLAN_EACH_RUN_MARK = '/* plan each run */';

/** The mark as an SQL fragment, to open a statement's text with. */
export const planEachRun = () => sql.raw(PLAN_EACH_RUN_MARK);
