import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** A validated import row waiting in the staging table. */
export interface StagedContact {
  line: number;
  contactId: string;
  externalId: string;
  data: Record<string, unknown>;
}

/** Writes a batch of validated rows to the staging table. */
export async function stageContacts(
  db: Executor,
  importId: string,
  tenantId: string,
  rows: readonly StagedContact[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('contact_import_rows')
    .values(
      rows.map((row) => ({
        import_id: importId,
        tenant_id: tenantId,
        line: row.line,
        contact_id: row.contactId,
        external_id: row.externalId,
        data: JSON.stringify(row.data),
      })),
    )
    .execute();
}

/**
 * Moves a fully validated import from staging into contacts (upsert by externalId) and, when
 * `campaignId` is given, into the campaign's membership — all in the caller's transaction.
 */
export async function commitStagedContacts(
  db: Executor,
  importId: string,
  tenantId: string,
  campaignId: string | undefined,
  now: Date,
): Promise<{ created: number; updated: number; addedToCampaign: number }> {
  const upserted = await sql<{ inserted: boolean }>`
    insert into contacts (tenant_id, id, external_id, data)
    select tenant_id, contact_id, external_id, data from contact_import_rows
    where import_id = ${importId} and tenant_id = ${tenantId}
    order by line
    on conflict (tenant_id, external_id) do update set data = excluded.data, updated_at = ${now}
    returning (xmax = 0) as inserted`.execute(db);
  const created = upserted.rows.filter((row) => row.inserted).length;
  let addedToCampaign = 0;
  if (campaignId !== undefined) {
    const added = await sql`
      insert into campaign_contacts (tenant_id, campaign_id, contact_id)
      select c.tenant_id, ${campaignId}, c.id from contacts c
      join contact_import_rows r on r.tenant_id = c.tenant_id and r.external_id = c.external_id
      where r.import_id = ${importId} and r.tenant_id = ${tenantId}
      on conflict do nothing`.execute(db);
    addedToCampaign = Number(added.numAffectedRows ?? 0);
  }
  return { created, updated: upserted.rows.length - created, addedToCampaign };
}

/** Removes an import's staging rows (after commit or failure). */
export async function discardStagedContacts(db: Executor, importId: string): Promise<void> {
  await db.deleteFrom('contact_import_rows').where('import_id', '=', importId).execute();
}

/** Removes staging rows left by imports interrupted more than `olderThanMs` ago (crash). */
export async function discardAbandonedImports(db: Executor, olderThanMs: number, now: Date): Promise<void> {
  await db
    .deleteFrom('contact_import_rows')
    .where('created_at', '<', new Date(now.getTime() - olderThanMs))
    .execute();
}
