import { sql } from 'kysely';
import type { ConfigRecord } from '../config-record.ts';
import type { Db } from '../database.ts';

/**
 * Active users, across tenants, whose registered device signs in as `username` (the device's
 * own username, else the user id): the candidates a REGISTER's credentials are checked against.
 */
export async function findDeviceUsers(db: Db, username: string): Promise<ConfigRecord[]> {
  const rows = await db
    .selectFrom('users')
    .select(['tenant_id', 'id', 'data'])
    .where(sql`data -> 'device' ->> 'type'`, '=', 'registered')
    .where(sql`coalesce(data -> 'device' ->> 'username', id)`, '=', username)
    .where(sql`data ->> 'status'`, '=', 'active')
    .execute();
  return rows.map((row) => ({ tenantId: row.tenant_id, id: row.id, data: row.data }));
}
