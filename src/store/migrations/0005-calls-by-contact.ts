import { type Kysely, sql } from 'kysely';

/**
 * calls by (tenant, campaign, contact): the attempt cap and redial gap are checked on every
 * accepted call by joining a contact's calls to their attempts. Through calls_campaign that
 * scanned every call of the campaign (cost grew with campaign size); this index reads only the
 * contact's own calls.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists calls_contact on calls (tenant_id, campaign_id, contact_id)`.execute(
    db,
  );
}
