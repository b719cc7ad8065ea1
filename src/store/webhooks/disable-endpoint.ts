import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/**
 * Turns an enabled webhook endpoint off (the relay gave up on it) and returns its document as
 * stored now, or undefined when it was already disabled or is gone — so only the transaction
 * that actually disabled it writes the `webhook.endpoint_disabled` event.
 */
export async function disableEndpoint(
  db: Executor,
  tenantId: string,
  endpointId: string,
  now: Date,
): Promise<{ data: Record<string, unknown>; createdAt: Date; updatedAt: Date } | undefined> {
  const result = await sql<{ data: Record<string, unknown>; created_at: Date; updated_at: Date }>`
    update webhook_endpoints set data = jsonb_set(data, '{enabled}', 'false'), updated_at = ${now}
    where tenant_id = ${tenantId} and id = ${endpointId} and data->>'enabled' = 'true'
    returning data, created_at, updated_at`.execute(db);
  const row = result.rows[0];
  return row
    ? { data: row.data, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) }
    : undefined;
}
