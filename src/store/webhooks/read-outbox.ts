import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { OutboxEventRow, OutboxPosition } from './outbox-rows.ts';

/** Which events to read: all tenants (the in-process fan-out) or one tenant with filters (replay). */
export interface OutboxFilter {
  tenantId?: string;
  campaignId?: string;
  callId?: string;
  /** Read no further than this position (inclusive). */
  until?: OutboxPosition;
}

/**
 * Events after `after` in commit-safe order: `(txid, id)`, and only rows whose transaction is
 * older than every running one, so no row can later appear before what was already read.
 */
export async function readOutbox(
  db: Executor,
  after: OutboxPosition,
  limit: number,
  filter: OutboxFilter = {},
): Promise<OutboxEventRow[]> {
  const conditions = [
    sql`(txid, id) > (${after.txid}::xid8, ${after.id}::bigint)`,
    sql`txid < pg_snapshot_xmin(pg_current_snapshot())`,
  ];
  if (filter.tenantId !== undefined) conditions.push(sql`tenant_id = ${filter.tenantId}`);
  if (filter.campaignId !== undefined) conditions.push(sql`campaign_id = ${filter.campaignId}`);
  if (filter.callId !== undefined) conditions.push(sql`call_id = ${filter.callId}`);
  if (filter.until !== undefined)
    conditions.push(sql`(txid, id) <= (${filter.until.txid}::xid8, ${filter.until.id}::bigint)`);
  const result = await sql<OutboxEventRow>`
    select id, tenant_id, call_id, campaign_id, subject_type, subject_id, sequence, type, at, data,
      txid::text as txid
    from call_events
    where ${sql.join(conditions, sql` and `)}
    order by txid, id
    limit ${limit}`.execute(db);
  return result.rows;
}
