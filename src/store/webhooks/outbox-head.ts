import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { OutboxPosition } from './outbox-rows.ts';

/** The newest readable position of the outbox (see readOutbox), or the start when it is empty. */
export async function outboxHead(db: Executor): Promise<OutboxPosition> {
  const result = await sql<{ txid: string; id: string | number }>`
    select txid::text as txid, id from call_events
    where txid < pg_snapshot_xmin(pg_current_snapshot())
    order by txid desc, id desc
    limit 1`.execute(db);
  const row = result.rows[0];
  return row ? { txid: row.txid, id: Number(row.id) } : { txid: '0', id: 0 };
}
