import { type RawBuilder, sql } from 'kysely';

/**
 * The condition that makes a batch statement reach its rows through the table's primary key,
 * whatever the statistics: `<alias>.<tenant> = any(tenants of the batch) and <alias>.<id> =
 * any(ids of the batch)`, the arrays taken from the batch's rows (`rows`, a CTE or subquery of
 * them with columns `tenant` and `id`). Joined on the keys alone, as `UPDATE … FROM` a batch's
 * rows, PostgreSQL plans for the 100 rows it assumes of `jsonb_to_recordset` and, on a table of
 * a few thousand rows (the size store maintenance last analyzed), hashes the batch against a
 * scan of the whole table: measured under sip_cps_ratio, the status changes scanned ~1–2 k calls
 * a batch (1.7–1.9 ms of 5.5–10 ms, ~1.8 µs a row in PGlite), the attempts' updates ~1 k attempts
 * (0.4–0.6 ms of ~1 ms), the lock of finished calls ~1.5 k calls; an accept batch's inline
 * contacts that exist scanned contacts the same way, and the pre-dial facts of a claimed batch
 * ~2 k calls (1.1 of 6.4 ms). Generic plans did too. The arrays come from an
 * InitPlan, whose size no plan knows, so the primary key is probed for them (in PGlite a probe
 * costs ~3 µs); the exact pairs are still matched by the join. The index is searched for every
 * tenant × id pair, which PostgreSQL 17's array scans walk quickly but not for free: measured in
 * PGlite with 200-call status change batches, 10 tenants a batch 12.5 ms against 13.6 ms joined
 * on the keys alone, but one call for each of 200 tenants 28 ms against 14.5 ms. A batch spans
 * the tenants whose calls are being dialled at once, a few on the embedded store.
 */
export function keyProbe(
  alias: string,
  columns: { tenant: string; id: string },
  rows: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const tenant = sql.ref(`${alias}.${columns.tenant}`);
  const id = sql.ref(`${alias}.${columns.id}`);
  return sql`${tenant} = any(array(select distinct r.tenant from ${rows} r))
    and ${id} = any(array(select r.id from ${rows} r))`;
}
