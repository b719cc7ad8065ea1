import type { Executor } from '../database.ts';
import type { CallRow } from './call-rows.ts';

/** A call about to be inserted, with its first timeline entry. */
export interface NewCallRecord {
  row: Omit<CallRow, 'seq' | 'metadata' | 'decision'> & {
    metadata: Record<string, unknown>;
    decision: unknown;
  };
  event: { type: string; data: Record<string, unknown> };
}

/**
 * Inserts calls and their first timeline entries (sequence 1) in two multi-row statements,
 * whatever their number: the accept path's group commit writes a whole batch this way. Returns
 * the `tenant_id/id` keys actually inserted: a taken (client-chosen) id is skipped, not an error,
 * and only inserted calls get their event.
 */
export async function insertNewCalls(db: Executor, records: readonly NewCallRecord[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const inserted = await db
    .insertInto('calls')
    .values(
      records.map(({ row }) => ({
        ...row,
        metadata: JSON.stringify(row.metadata),
        decision: JSON.stringify(row.decision),
        event_sequence: 1,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
    .returning(['tenant_id', 'id'])
    .execute();
  const keys = new Set(inserted.map((r) => `${r.tenant_id}/${r.id}`));
  const events = records.filter(({ row }) => keys.has(`${row.tenant_id}/${row.id}`));
  if (events.length > 0) {
    await db
      .insertInto('call_events')
      .values(
        events.map(({ row, event }) => ({
          tenant_id: row.tenant_id,
          call_id: row.id,
          campaign_id: row.campaign_id,
          sequence: 1,
          type: event.type,
          at: row.created_at,
          data: JSON.stringify(event.data),
        })),
      )
      .execute();
  }
  return keys;
}
