import type { Executor } from './database.ts';

/** A tenant and its settings. */
export interface TenantRow {
  id: string;
  name: string;
  defaultRegion: string;
  phoneTypes: string[];
  createdAt: Date;
}

/** Reads one tenant, or undefined. */
export async function findTenant(db: Executor, id: string): Promise<TenantRow | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTenant(row);
}

/** Inserts a tenant; returns false when the id is taken. */
export async function insertTenant(
  db: Executor,
  tenant: { id: string; name: string; defaultRegion: string; phoneTypes: string[] },
): Promise<boolean> {
  const result = await db
    .insertInto('tenants')
    .values({
      id: tenant.id,
      name: tenant.name,
      default_region: tenant.defaultRegion,
      phone_types: JSON.stringify(tenant.phoneTypes),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Replaces a tenant's phone types. */
export async function updatePhoneTypes(db: Executor, tenantId: string, phoneTypes: string[]): Promise<void> {
  await db
    .updateTable('tenants')
    .set({ phone_types: JSON.stringify(phoneTypes) })
    .where('id', '=', tenantId)
    .execute();
}

/** The number of tenants (bootstrap runs only on an empty store). */
export async function countTenants(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function toTenant(row: {
  id: string;
  name: string;
  default_region: string;
  phone_types: string[];
  created_at: Date;
}): TenantRow {
  return {
    id: row.id,
    name: row.name,
    defaultRegion: row.default_region,
    phoneTypes: row.phone_types,
    createdAt: row.created_at,
  };
}
