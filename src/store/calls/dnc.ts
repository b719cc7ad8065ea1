import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** True when the number is on the tenant's do-not-call list. */
export async function isOnDnc(db: Executor, tenantId: string, number: string): Promise<boolean> {
  const row = await db
    .selectFrom('dnc_numbers')
    .select('number')
    .where('tenant_id', '=', tenantId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row !== undefined;
}

/** Adds (or updates) a DNC entry; returns whether it was new. */
export async function putDnc(
  db: Executor,
  tenantId: string,
  number: string,
  reason: string | null,
): Promise<{ created: boolean; createdAt: Date }> {
  const existing = await db
    .selectFrom('dnc_numbers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('number', '=', number)
    .executeTakeFirst();
  if (existing) {
    await db
      .updateTable('dnc_numbers')
      .set({ reason })
      .where('tenant_id', '=', tenantId)
      .where('number', '=', number)
      .execute();
    return { created: false, createdAt: existing.created_at };
  }
  const row = await db
    .insertInto('dnc_numbers')
    .values({ tenant_id: tenantId, number, reason })
    .onConflict((oc) => oc.columns(['tenant_id', 'number']).doUpdateSet({ reason }))
    .returning('created_at')
    .executeTakeFirstOrThrow();
  return { created: true, createdAt: row.created_at };
}

/** Removes a DNC entry; returns whether it existed. */
export async function deleteDnc(db: Executor, tenantId: string, number: string): Promise<boolean> {
  const result = await db
    .deleteFrom('dnc_numbers')
    .where('tenant_id', '=', tenantId)
    .where('number', '=', number)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** A page of the DNC list. */
export async function listDnc(
  db: Executor,
  tenantId: string,
  limit: number,
  after?: string,
): Promise<Array<{ number: string; reason: string | null; created_at: Date }>> {
  let q = db
    .selectFrom('dnc_numbers')
    .select(['number', 'reason', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('number')
    .limit(limit);
  if (after !== undefined) q = q.where('number', '>', after);
  return q.execute();
}

/** Adds many DNC entries in one statement (existing ones get the new reason); returns how many were new. */
export async function putDncMany(
  db: Executor,
  tenantId: string,
  rows: ReadonlyArray<{ number: string; reason: string | null }>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db
    .insertInto('dnc_numbers')
    .values(rows.map((row) => ({ tenant_id: tenantId, number: row.number, reason: row.reason })))
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'number']).doUpdateSet((eb) => ({ reason: eb.ref('excluded.reason') })),
    )
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .execute();
  return result.filter((row) => row.inserted).length;
}
