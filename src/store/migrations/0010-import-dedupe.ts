import { type Kysely, sql } from 'kysely';

/**
 * One externalId per import in the staging table. Duplicates within a file used to be found with
 * an in-memory map of every externalId seen (1.2M rows: well over 100 MB); the database now finds
 * them (`on conflict do nothing`), so an import's memory no longer grows with its length.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unique index contact_import_rows_external_id
    on contact_import_rows (import_id, external_id)`.execute(db);
}
