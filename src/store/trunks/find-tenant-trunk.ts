import { sql } from 'kysely';
import type { ConfigRecord } from '../config-record.ts';
import type { Db } from '../database.ts';

/**
 * The trunk a tenant's phone-number legs go through: its trunk `default` when there is one,
 * else its oldest (the API has no per-campaign trunk choice yet; README "Real telephony").
 */
export async function findTenantTrunk(db: Db, tenantId: string): Promise<ConfigRecord | undefined> {
  const row = await db
    .selectFrom('trunks')
    .select(['id', 'data'])
    .where('tenant_id', '=', tenantId)
    .orderBy(sql`id = 'default'`, 'desc')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row ? { tenantId, id: row.id, data: row.data } : undefined;
}
