import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** A schema-valid import row on its way to the staging table. */
export interface StagedContact {
  line: number;
  contactId: string;
  externalId: string;
  data: Record<string, unknown>;
}

/** A row the staging table refused because an earlier line of the same import has its externalId. */
export interface DuplicateRow {
  line: number;
  externalId: string;
  firstLine: number;
}

/**
 * Writes a batch of rows to the staging table and returns the rows whose externalId an earlier
 * line of the same import already has (the unique index finds them, so no map of every id seen
 * is kept in memory; within a batch the earlier line wins, as values are inserted in order).
 */
export async function stageContacts(
  db: Executor,
  importId: string,
  tenantId: string,
  rows: readonly StagedContact[],
): Promise<DuplicateRow[]> {
  if (rows.length === 0) return [];
  const inserted = await db
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
    .onConflict((oc) => oc.columns(['import_id', 'external_id']).doNothing())
    .returning('line')
    .execute();
  if (inserted.length === rows.length) return [];
  const kept = new Set(inserted.map((row) => row.line));
  const refused = rows.filter((row) => !kept.has(row.line));
  const first = await db
    .selectFrom('contact_import_rows')
    .select(['external_id', 'line'])
    .where('import_id', '=', importId)
    .where(
      'external_id',
      'in',
      refused.map((row) => row.externalId),
    )
    .execute();
  const firstLine = new Map(first.map((row) => [row.external_id, row.line]));
  return refused.map((row) => ({
    line: row.line,
    externalId: row.externalId,
    firstLine: firstLine.get(row.externalId) ?? 0,
  }));
}

/**
 * Moves up to `limit` staged rows after line `afterLine` into contacts (upsert by externalId)
 * and, when `campaignId` is given, into the campaign's membership, in the caller's transaction.
 * Called chunk by chunk so that no single statement holds the embedded store (and with it the
 * event loop) for long, and counted in SQL so that no per-row result reaches memory.
 * `lastLine` is undefined once nothing is left.
 */
export async function commitStagedChunk(
  db: Executor,
  importId: string,
  tenantId: string,
  campaignId: string | undefined,
  now: Date,
  afterLine: number,
  limit: number,
): Promise<{ lastLine?: number; created: number; updated: number; addedToCampaign: number }> {
  const result = await sql<{ last_line: number | null; created: string | number; total: string | number }>`
    with chunk as (
      select tenant_id, contact_id, external_id, data, line from contact_import_rows
      where import_id = ${importId} and tenant_id = ${tenantId} and line > ${afterLine}
      order by line limit ${limit}
    ), upserted as (
      insert into contacts (tenant_id, id, external_id, data)
      select tenant_id, contact_id, external_id, data from chunk order by line
      on conflict (tenant_id, external_id) do update set data = excluded.data, updated_at = ${now}
      returning (xmax = 0) as inserted
    )
    select (select max(line) from chunk) as last_line,
      count(*) filter (where inserted) as created, count(*) as total
    from upserted`.execute(db);
  const row = result.rows[0];
  if (!row || row.last_line === null) return { created: 0, updated: 0, addedToCampaign: 0 };
  const lastLine = Number(row.last_line);
  const created = Number(row.created);
  let addedToCampaign = 0;
  if (campaignId !== undefined) {
    const added = await sql`
      insert into campaign_contacts (tenant_id, campaign_id, contact_id)
      select c.tenant_id, ${campaignId}, c.id from contact_import_rows r
      join contacts c on c.tenant_id = r.tenant_id and c.external_id = r.external_id
      where r.import_id = ${importId} and r.tenant_id = ${tenantId}
        and r.line > ${afterLine} and r.line <= ${lastLine}
      on conflict do nothing`.execute(db);
    addedToCampaign = Number(added.numAffectedRows ?? 0);
  }
  return { lastLine, created, updated: Number(row.total) - created, addedToCampaign };
}

/**
 * Removes up to `limit` of an import's staging rows (after commit, failure or abort); returns
 * how many went. Callers loop until it returns 0, in chunks for the same reason as the commit.
 */
export async function discardStagedChunk(db: Executor, importId: string, limit: number): Promise<number> {
  const result = await sql`
    delete from contact_import_rows where import_id = ${importId} and line in (
      select line from contact_import_rows where import_id = ${importId} order by line limit ${limit})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}

/** Removes staging rows left by imports interrupted more than `olderThanMs` ago (crash). */
export async function discardAbandonedImports(db: Executor, olderThanMs: number, now: Date): Promise<void> {
  await db
    .deleteFrom('contact_import_rows')
    .where('created_at', '<', new Date(now.getTime() - olderThanMs))
    .execute();
}
