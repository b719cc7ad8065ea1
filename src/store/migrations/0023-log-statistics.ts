import { type Kysely, sql } from 'kysely';

/** The append-only tables read only by their keys and ordered ranges. */
export const LOG_TABLES = ['call_events', 'audit_events', 'idempotency_keys'] as const;
/** Their columns' statistics target: ANALYZE samples 300 × this many rows. */
export const LOG_STATISTICS_TARGET = 10;

/**
 * The tables that only grow by appends and are read by their keys — the timeline and event
 * outbox, the audit trail, the Idempotency-Keys' answers — keep statistics of a 3,000-row sample
 * (a target of 10 on every column that has statistics) instead of 30,000 (the default 100).
 * Their plans are index probes and ordered range scans, which a coarser histogram does not
 * change, while an ANALYZE samples 300 × the largest target of any column: `call_events` at
 * 40,000 rows took ~140 ms of PostgreSQL and ~110 ms of PGlite's thread to analyze, 13–16 and
 * 12–13 ms with this. Store maintenance re-analyzes a table each time it doubles, so a fresh
 * node under load analyzed `call_events` five times in a sip_cps_ratio_pg run (594 ms of
 * PostgreSQL's ~10 s), each a stall of the embedded store's one thread. PostgreSQL has no
 * per-table target, so every column is set but the payloads 0018 left out of ANALYZE altogether;
 * a column a later migration adds to these tables must be set too
 * (test/store/log-statistics.test.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of LOG_TABLES) {
    const columns = await sql<{ name: string }>`
      select attname as name from pg_attribute
      where attrelid = ${table}::regclass and attnum > 0 and not attisdropped
        and attstattarget is distinct from 0
      order by attnum`.execute(db);
    const alterations = columns.rows.map(
      (column) => sql`alter column ${sql.ref(column.name)} set statistics ${sql.lit(LOG_STATISTICS_TARGET)}`,
    );
    await sql`alter table ${sql.table(table)} ${sql.join(alterations)}`.execute(db);
  }
}
