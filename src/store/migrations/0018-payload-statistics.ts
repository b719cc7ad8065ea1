import { type Kysely, sql } from 'kysely';

/** The JSON payload columns of the busy tables, left out of ANALYZE by this migration. */
export const PAYLOAD_COLUMNS = [
  ['audit_events', 'body'],
  ['audit_events', 'problem'],
  ['call_attempts', 'analysis'],
  ['call_attempts', 'decision'],
  ['call_attempts', 'media'],
  ['call_events', 'data'],
  ['calls', 'decision'],
  ['calls', 'disposition'],
  ['calls', 'metadata'],
  ['contacts', 'data'],
  ['idempotency_keys', 'outcome'],
] as const;

/**
 * The JSON payload columns of the busy tables are left out of ANALYZE (statistics target 0). No
 * query filters on them as columns (a filter on `data->>'x'` is estimated from an expression
 * index's statistics or a default, never from the column's), yet ANALYZE compared their
 * documents to build most-common-value lists and histograms: the larger part of its time. On the
 * embedded store ANALYZE runs on the node's own thread (store maintenance, each time a busy table
 * has doubled), and measured with 8,000 calls it held that thread 48 → 29 ms for calls, 54 → 36
 * ms for audit_events, 36 → 12 ms for idempotency_keys and 48 → 9 ms for contacts (part of the tail of
 * dial_latency_p99). PostgreSQL's autovacuum does less of the same work.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, column] of PAYLOAD_COLUMNS)
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} set statistics 0`.execute(db);
}
