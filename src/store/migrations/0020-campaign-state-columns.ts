import { type Kysely, sql } from 'kysely';

/**
 * A campaign's status and dialing mode as columns of their own, kept by PostgreSQL from the
 * document (stored generated columns: no writer changes). The dialer asks them per call — the
 * claim filters every due call on its campaign's status and mode, every status change reports
 * the campaign's status — and read from `data` each answer detoasts the whole document: a
 * 1,000-agent campaign's is ~3.5 KB compressed, stored out of line, ~100 µs to fetch and
 * inflate on the embedded store for one field, four times and more a call.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campaigns
    add column status text generated always as (data->>'status') stored,
    add column dialing_mode text generated always as (data->>'dialingMode') stored`.execute(db);
}
