import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { CALL_STATUSES, LIVE_STATUSES, WAITING_STATUSES } from '../../src/domain/call-status.ts';
import { updateCallsForTransition } from '../../src/store/calls/transition-call.ts';
import type { Executor } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

const now = new Date('2026-12-07T12:00:00Z');

async function insertCall(db: Executor, id: string, status: string): Promise<void> {
  await sql`insert into calls (tenant_id, id, kind, to_number, status, outside_window, next_attempt_at,
      metadata, attempts_made, lease_owner, leased_until, user_id)
    values ('ph', ${id}, 'direct', '+12125550100', ${status}, 'reject', ${now}, '{}'::jsonb, 1, 'me', ${now}, 'agent')`.execute(
    db,
  );
}

/** Updates of calls in this transaction that were heap-only (no index entry written). */
async function hotUpdates(tx: Executor): Promise<{ updates: number; hot: number }> {
  const result = await sql<{ n_tup_upd: string | number; n_tup_hot_upd: string | number }>`
    select n_tup_upd, n_tup_hot_upd from pg_stat_xact_user_tables where relname = 'calls'`.execute(tx);
  const row = result.rows[0];
  return { updates: Number(row?.n_tup_upd ?? 0), hot: Number(row?.n_tup_hot_upd ?? 0) };
}

for (const [kind, open] of STORE_KINDS) {
  test(`${kind}: a call's phase column follows the domain's waiting and live statuses`, async () => {
    const { store, drop } = await open();
    try {
      const db = store.db;
      await sql`insert into tenants (id, name) values ('ph', 'Phases')`.execute(db);
      for (const status of CALL_STATUSES) await insertCall(db, `call-${status}`, status);
      const rows = await sql<{ status: string; phase: string }>`
        select status, phase from calls where tenant_id = 'ph' order by id`.execute(db);
      assert.equal(rows.rows.length, CALL_STATUSES.length);
      for (const { status, phase } of rows.rows) {
        const expected = (WAITING_STATUSES as readonly string[]).includes(status)
          ? 'waiting'
          : (LIVE_STATUSES as readonly string[]).includes(status)
            ? 'live'
            : 'ended';
        assert.equal(phase, expected, status);
      }
    } finally {
      await store.close();
      await drop();
    }
  });

  test(`${kind}: a status change within the live phase writes no index entry (a HOT update); one out of it does`, async () => {
    const { store, drop } = await open();
    try {
      const db = store.db;
      await sql`insert into tenants (id, name) values ('ph', 'Phases')`.execute(db);
      await insertCall(db, 'call-1', 'dialing_user');
      const change = (status: string, from: string, changes = {}) =>
        db.transaction().execute(async (tx) => {
          // The counters may still hold earlier transactions' figures not yet reported: a difference.
          const before = await hotUpdates(tx);
          const [changed] = await updateCallsForTransition(
            tx,
            [
              {
                tenantId: 'ph',
                id: 'call-1',
                status,
                changes: { waiting_for_agent: false, ...changes },
                from: [from],
              },
            ],
            now,
          );
          assert.equal(changed?.row.status, status);
          const after = await hotUpdates(tx);
          return { updates: after.updates - before.updates, hot: after.hot - before.hot };
        });
      assert.deepEqual(await change('dialing_contact', 'dialing_user'), { updates: 1, hot: 1 });
      assert.deepEqual(await change('connected', 'dialing_contact'), { updates: 1, hot: 1 });
      // The end leaves the live phase and releases the lease: every index learns of it.
      assert.deepEqual(
        await change('completed', 'connected', {
          lease_owner: null,
          leased_until: null,
          outcome: 'answered',
        }),
        { updates: 1, hot: 0 },
      );
    } finally {
      await store.close();
      await drop();
    }
  });
}
