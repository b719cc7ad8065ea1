import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { lockCalls } from '../../src/store/calls/attempt-batches.ts';
import type { CallRow } from '../../src/store/calls/call-rows.ts';
import { updateCallsForTransition } from '../../src/store/calls/transition-call.ts';
import type { Executor } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

/*
 * A status change of a call whose caller holds a copy read with its row version reads back only
 * the columns it sets, and takes the rest from the copy (transition-call.ts). These check that
 * the answer is the row as stored either way, and that a copy whose row was written since is
 * not trusted.
 */

after(stopTestPostgres);

const created = new Date('2026-12-07T09:00:00Z');
const now = new Date('2026-12-07T09:00:05Z');
const leased = new Date('2026-12-07T09:01:05Z');

async function insertCall(db: Executor, id: string): Promise<void> {
  await sql`insert into calls (tenant_id, id, kind, to_number, status, outside_window, next_attempt_at,
      metadata, attempts_made, lease_owner, leased_until, user_id, requested_user_id, caller_id,
      created_at, updated_at, trace_context)
    values ('k', ${id}, 'direct', '+12125550100', 'dialing_user', 'reject', ${created},
      '{"crm": "A-1", "note": "known"}'::jsonb, 1, 'me', ${created}, 'agent', 'agent', '+14155550100',
      ${created}, ${created}, 'traceparent=00-abc')`.execute(db);
  await sql`insert into call_attempts (tenant_id, call_id, n, user_id, started_at, decision, driver)
    values ('k', ${id}, 1, 'agent', ${created}, '{"allowed": true}'::json, 'sandbox')`.execute(db);
}

/** The calls as lockCalls reads them for the dialer: with their row versions. */
async function copies(db: Executor, ids: string[]): Promise<Map<string, CallRow>> {
  return db.transaction().execute((tx) =>
    lockCalls(
      tx,
      ids.map((callId) => ({ tenantId: 'k', callId })),
    ),
  );
}

const toConnected = (id: string, known?: CallRow) => ({
  tenantId: 'k',
  id,
  status: 'connected',
  changes: { waiting_for_agent: false, leased_until: leased },
  from: ['dialing_user', 'dialing_contact'],
  ...(known ? { known } : {}),
});

/** A row without what tells two calls apart. */
const comparable = (row: CallRow | undefined) => {
  assert.ok(row);
  const { id, seq, row_version, ...rest } = row;
  assert.match(row_version ?? '', /^\d+$/, 'every answer carries its new row version');
  return rest;
};

/** A fresh store of one kind with the calls `ids` and their copies as the dialer reads them. */
async function withCalls(
  open: (typeof STORE_KINDS)[number][1],
  ids: string[],
  run: (db: Executor, read: Map<string, CallRow>) => Promise<void>,
): Promise<void> {
  const { store, drop } = await open();
  try {
    await sql`insert into tenants (id, name) values ('k', 'Known')`.execute(store.db);
    for (const id of ids) await insertCall(store.db, id);
    await run(store.db, await copies(store.db, ids));
  } finally {
    await store.close();
    await drop();
  }
}

for (const [kind, open] of STORE_KINDS) {
  test(`${kind}: a status change answers the row as stored, whether the caller's copy knew its version or not`, () =>
    withCalls(open, ['call-known', 'call-unknown'], async (db, read) => {
      const known = read.get('k/call-known');
      assert.match(known?.row_version ?? '', /^\d+$/, 'lockCalls reads the version');
      const [fromCopy, fromRow] = await db
        .transaction()
        .execute((tx) =>
          updateCallsForTransition(tx, [toConnected('call-known', known), toConnected('call-unknown')], now),
        );
      assert.deepEqual(comparable(fromCopy?.row), comparable(fromRow?.row));
      assert.equal(fromCopy?.row.status, 'connected');
      assert.equal(fromCopy?.row.event_sequence, 1);
      assert.equal(fromCopy?.row.updated_at.toISOString(), now.toISOString());
      assert.equal(fromCopy?.row.leased_until?.toISOString(), leased.toISOString());
      assert.deepEqual(fromCopy?.row.metadata, { crm: 'A-1', note: 'known' });
      assert.deepEqual(
        fromCopy?.attempts.map((a) => a.n),
        [1],
      );
      const stored = await copies(db, ['call-known']);
      assert.deepEqual(
        comparable(fromCopy?.row),
        comparable(stored.get('k/call-known')),
        'the answer is the row as stored',
      );
      assert.equal(fromCopy?.row.row_version, stored.get('k/call-known')?.row_version);
    }));

  test(`${kind}: a copy at its version gives the columns a change does not set; one whose row was written since does not`, () =>
    withCalls(open, ['call-current', 'call-stale'], async (db, read) => {
      // Only the copy is marked: an answer showing the mark was built from it.
      const marked = { ...(read.get('k/call-current') as CallRow), metadata: { mark: 'copy' } };
      // Another writer changes the second call after its copy was read.
      await sql`update calls set metadata = '{"crm": "B-2"}'::jsonb where id = 'call-stale'`.execute(db);
      const stale = { ...(read.get('k/call-stale') as CallRow), metadata: { mark: 'copy' } };
      const [current, written] = await updateCallsForTransition(
        db,
        [toConnected('call-current', marked), toConnected('call-stale', stale)],
        now,
      );
      assert.deepEqual(current?.row.metadata, { mark: 'copy' }, 'unchanged since: taken from the copy');
      assert.deepEqual(written?.row.metadata, { crm: 'B-2' }, 'written since: read back from the row');
      assert.equal(written?.row.status, 'connected');

      // A copy at its version whose call is in none of the change's states changes nothing.
      const again = await copies(db, ['call-current']);
      const [refused] = await updateCallsForTransition(
        db,
        [{ ...toConnected('call-current', again.get('k/call-current')), from: ['dialing_user'] }],
        now,
      );
      assert.equal(refused, undefined);
      const row = await sql<{ event_sequence: number }>`
        select event_sequence from calls where id = 'call-current'`.execute(db);
      assert.equal(row.rows[0]?.event_sequence, 1);
    }));
}
