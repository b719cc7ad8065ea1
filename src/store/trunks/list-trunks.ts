import type { ConfigRecord } from '../config-record.ts';
import type { Db } from '../database.ts';

/** Every configured trunk across tenants, oldest first (the SIP driver's OPTIONS keep-alive). */
export async function listTrunks(db: Db): Promise<ConfigRecord[]> {
  const rows = await db.selectFrom('trunks').select(['tenant_id', 'id', 'data']).orderBy('seq').execute();
  return rows.map((row) => ({ tenantId: row.tenant_id, id: row.id, data: row.data }));
}
