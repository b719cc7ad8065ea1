import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { CallRow } from './call-rows.ts';

/** A call's disposition as stored (calls.disposition, migration 0017). */
export interface StoredDisposition {
  code: string;
  notes: string | null;
  userId: string;
  sessionId: string;
  at: string;
}

/**
 * The disposition of a call row read with `select *`. The column is not in CallsTable on
 * purpose: new calls never set it, and the accept path inserts an explicit column list.
 */
export function dispositionOf(row: CallRow): StoredDisposition | null {
  return (row as CallRow & { disposition?: StoredDisposition | null }).disposition ?? null;
}

/** Records the agent's disposition on the call. */
export async function setCallDisposition(
  db: Executor,
  tenantId: string,
  callId: string,
  disposition: StoredDisposition,
  now: Date,
): Promise<void> {
  await sql`update calls set disposition = ${JSON.stringify(disposition)}::jsonb, updated_at = ${now}
    where tenant_id = ${tenantId} and id = ${callId}`.execute(db);
}
