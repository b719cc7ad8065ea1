import { sql } from 'kysely';
import type { StoredTrunk } from '../../service/resources/trunks.ts';
import type { StoredUser } from '../../service/resources/users.ts';
import type { Db } from '../../store/database.ts';
import type { RegistrarAccount } from '../sip/registrar/index.ts';
import { bindingKey, type SipDirectory, type TrunkRoute } from './sip-directory.ts';

/**
 * Reads trunks and registered devices from the store. A tenant's phone-number legs use its
 * trunk `default` when there is one, else its oldest trunk: the API has no per-campaign trunk
 * choice yet, so the rule is fixed and documented (README "Real telephony").
 */
export class StoreDirectory implements SipDirectory {
  constructor(private readonly db: Db) {}

  async trunkFor(tenantId: string): Promise<TrunkRoute | undefined> {
    const row = await this.db
      .selectFrom('trunks')
      .select(['id', 'data'])
      .where('tenant_id', '=', tenantId)
      .orderBy(sql`id = 'default'`, 'desc')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    const data = row.data as unknown as StoredTrunk;
    return { id: `${tenantId}/${row.id}`, ...data };
  }

  async trunks(): Promise<TrunkRoute[]> {
    const rows = await this.db
      .selectFrom('trunks')
      .select(['tenant_id', 'id', 'data'])
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({ id: `${row.tenant_id}/${row.id}`, ...(row.data as unknown as StoredTrunk) }));
  }

  async registeredAccounts(username: string): Promise<RegistrarAccount[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['tenant_id', 'id', 'data'])
      .where(sql`data -> 'device' ->> 'type'`, '=', 'registered')
      .where(sql`coalesce(data -> 'device' ->> 'username', id)`, '=', username)
      .where(sql`data ->> 'status'`, '=', 'active')
      .execute();
    return rows.flatMap((row) => {
      const device = (row.data as unknown as StoredUser).device;
      return device.type === 'registered' && device.password
        ? [{ password: device.password, aor: bindingKey(row.tenant_id, username) }]
        : [];
    });
  }
}
