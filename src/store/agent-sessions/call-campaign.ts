import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** The campaign document of a call (null for a direct call or an unknown one). */
export async function campaignOfCall(db: Executor, tenantId: string, callId: string): Promise<unknown> {
  const result = await sql<{ data: unknown }>`
    select cp.data from calls c
    join campaigns cp on cp.tenant_id = c.tenant_id and cp.id = c.campaign_id
    where c.tenant_id = ${tenantId} and c.id = ${callId}`.execute(db);
  return result.rows[0]?.data ?? null;
}

/** The campaign id of a call (null for a direct call or an unknown one). */
export async function campaignIdOfCall(
  db: Executor,
  tenantId: string,
  callId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('calls')
    .select('campaign_id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', callId)
    .executeTakeFirst();
  return row?.campaign_id ?? null;
}
