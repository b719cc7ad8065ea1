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

/** The last line an import staged (0 when none): commit and discard walk the lines up to it. */
export async function lastStagedLine(db: Executor, importId: string): Promise<number> {
  const row = await db
    .selectFrom('contact_import_rows')
    .select((eb) => eb.fn.max('line').as('last'))
    .where('import_id', '=', importId)
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/*
 * Commit and discard work on ranges of lines, (afterLine, afterLine + span], never on
 * "the next N rows by line" (order by … limit): the staging table has no statistics the planner
 * trusts while an import fills it, and for the latter it read every remaining row of the import
 * and sorted them, on every chunk — quadratic, seconds per chunk at a million rows. Lines are
 * unique per import, so a range holds at most `span` rows however the file is laid out.
 */

/**
 * Moves the staged rows on lines (afterLine, afterLine + span] into contacts (upsert by
 * externalId) and, when `campaignId` is given, into the campaign's membership, in the caller's
 * transaction. Called range by range so that no single statement holds the embedded store (and
 * with it the event loop) for long, and counted in SQL so that no per-row result reaches memory.
 */
export async function commitStagedLines(
  db: Executor,
  importId: string,
  tenantId: string,
  campaignId: string | undefined,
  now: Date,
  afterLine: number,
  span: number,
): Promise<{ created: number; updated: number; addedToCampaign: number }> {
  const lastLine = afterLine + span;
  const result = await sql<{ created: string | number; total: string | number }>`
    with upserted as (
      insert into contacts (tenant_id, id, external_id, data)
      select tenant_id, contact_id, external_id, data from contact_import_rows
      where import_id = ${importId} and tenant_id = ${tenantId} and line > ${afterLine} and line <= ${lastLine}
      order by line
      on conflict (tenant_id, external_id) do update set data = excluded.data, updated_at = ${now}
      returning (xmax = 0) as inserted
    )
    select count(*) filter (where inserted) as created, count(*) as total from upserted`.execute(db);
  const created = Number(result.rows[0]?.created ?? 0);
  const total = Number(result.rows[0]?.total ?? 0);
  let addedToCampaign = 0;
  if (campaignId !== undefined && total > 0) {
    const added = await sql`
      insert into campaign_contacts (tenant_id, campaign_id, contact_id)
      select c.tenant_id, ${campaignId}, c.id from contact_import_rows r
      join contacts c on c.tenant_id = r.tenant_id and c.external_id = r.external_id
      where r.import_id = ${importId} and r.tenant_id = ${tenantId}
        and r.line > ${afterLine} and r.line <= ${lastLine}
      on conflict do nothing`.execute(db);
    addedToCampaign = Number(added.numAffectedRows ?? 0);
  }
  return { created, updated: total - created, addedToCampaign };
}

/** Removes an import's staging rows on lines (afterLine, afterLine + span]; returns how many went. */
export async function discardStagedLines(
  db: Executor,
  importId: string,
  afterLine: number,
  span: number,
): Promise<number> {
  const result = await db
    .deleteFrom('contact_import_rows')
    .where('import_id', '=', importId)
    .where('line', '>', afterLine)
    .where('line', '<=', afterLine + span)
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}

/** Removes staging rows left by imports interrupted more than `olderThanMs` ago (crash). */
export async function discardAbandonedImports(db: Executor, olderThanMs: number, now: Date): Promise<void> {
  await db
    .deleteFrom('contact_import_rows')
    .where('created_at', '<', new Date(now.getTime() - olderThanMs))
    .execute();
}
