import { type Kysely, sql } from 'kysely';

/**
 * An index of the calls whose cancel is pending on a dialer: each dialer asks on every round
 * which of its calls the API asked to cancel (store/calls/calls-to-cancel.ts), and without an
 * index that question scanned the whole calls table — ~850 µs per round with 3,000 calls on
 * the embedded store, and linear in every call ever made. Partial, so it holds only the few
 * calls with a cancel requested and a lease; a call that ended has no lease.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index calls_cancel_requested on calls (lease_owner)
    where cancel_requested and lease_owner is not null`.execute(db);
}
