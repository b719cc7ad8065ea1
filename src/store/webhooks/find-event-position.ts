import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { OutboxPosition } from './outbox-rows.ts';

/** Where event `id` of a tenant sits in the outbox order (for Last-Event-ID), if it exists. */
export async function findEventPosition(
  db: Executor,
  tenantId: string,
  id: number,
): Promise<OutboxPosition | undefined> {
  const result = await sql<{ txid: string; id: string | number }>`
    select txid::text as txid, id from call_events where id = ${id} and tenant_id = ${tenantId}`.execute(db);
  const row = result.rows[0];
  return row ? { txid: row.txid, id: Number(row.id) } : undefined;
}
