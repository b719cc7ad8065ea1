import { type Kysely, sql } from 'kysely';

/**
 * The documents the busy paths write once and read whole — a timeline entry's `data`, an
 * Idempotency-Key's stored answer, an attempt's decision — are `json`, not `jsonb`: PostgreSQL
 * checks they are JSON and keeps them as written instead of parsing each into jsonb's binary form
 * on insert. Nothing searches inside them with an index or compares them; `->` and `->>` work on
 * json as on jsonb. Each status change of a call writes the call as presented (~2 KB), each
 * accepted call its first entry and its key's answer: under `sip_cps_ratio` the entries' insert
 * took 932 ms of the embedded store's thread per 4,000 calls as jsonb, 561–567 ms as json
 * (docs/performance.md, session 25). The existing rows are rewritten once, each document as
 * jsonb prints it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table call_events alter column data type json using data::json`.execute(db);
  await sql`alter table idempotency_keys alter column outcome type json using outcome::json`.execute(db);
  await sql`alter table call_attempts alter column decision type json using decision::json`.execute(db);
}
