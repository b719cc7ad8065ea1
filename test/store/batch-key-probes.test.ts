import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { lockCalls, settleAttempts } from '../../src/store/calls/attempt-batches.ts';
import { recordAttemptsMedia } from '../../src/store/calls/attempt-media.ts';
import { loadDialFactsBatch } from '../../src/store/calls/load-dial-facts.ts';
import { updateCallsForTransition } from '../../src/store/calls/transition-call.ts';
import { upsertInlineContacts } from '../../src/store/calls/upsert-inline-contacts.ts';
import type { Executor } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

const CALLS = 3000;
const BATCH = 60;
const now = new Date('2026-12-06T08:00:00Z');
const ids = Array.from({ length: BATCH }, (_, i) => `call-${i * 37 + 1}`);

/**
 * Sequential scans of `table` counted by this backend and not yet reported (PostgreSQL keeps a
 * backend's counts for up to a second before reporting them, so compare before and after).
 */
async function seqScans(tx: Executor, table: 'calls' | 'call_attempts' | 'contacts'): Promise<number> {
  const result = await sql<{ seq_scan: number | string | null }>`
    select seq_scan from pg_stat_xact_user_tables where relname = ${table}`.execute(tx);
  return Number(result.rows[0]?.seq_scan ?? 0);
}

for (const [kind, open] of STORE_KINDS)
  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const)
    test(`${kind}, ${mode}: the dialer's batch statements (pre-dial facts, locks, attempts, status changes) reach a batch's calls and attempts by primary key, not by scanning the tables`, async () => {
      const { store, drop } = await open();
      try {
        const db = store.db;
        await sql`insert into tenants (id, name) values ('a', 'A')`.execute(db);
        // A table the size a busy quarter hour leaves, analyzed as store maintenance keeps it:
        // the size at which the plans for a batch's assumed 100 rows hashed it against a scan.
        await sql`
          insert into calls (tenant_id, id, kind, to_number, status, outside_window, next_attempt_at,
            metadata, attempts_made, lease_owner)
          select 'a', 'call-' || g, 'direct', '+12125550100', 'dialing_contact', 'reject', ${now}::timestamptz,
            '{}'::jsonb, 1, 'me'
          from generate_series(1, ${CALLS}) g`.execute(db);
        await sql`
          insert into call_attempts (tenant_id, call_id, n, user_id, started_at, decision, driver)
          select 'a', 'call-' || g, 1, 'u', ${now}::timestamptz, '{}'::jsonb, 'sandbox'
          from generate_series(1, ${CALLS}) g`.execute(db);
        await sql`analyze calls`.execute(db);
        await sql`analyze call_attempts`.execute(db);

        await db.transaction().execute(async (tx) => {
          await sql.raw(`set local plan_cache_mode = ${mode}`).execute(tx);
          const before = {
            calls: await seqScans(tx, 'calls'),
            attempts: await seqScans(tx, 'call_attempts'),
          };
          // Run twice: the second run is on the statement's kept plan wherever plans are kept.
          for (let run = 0; run < 2; run++) {
            const locked = await lockCalls(
              tx,
              ids.map((id) => ({ tenantId: 'a', callId: id })),
            );
            assert.equal(locked.size, BATCH);
            const facts = await loadDialFactsBatch(
              tx,
              ids.map((id) => ({ tenantId: 'a', callId: id })),
              'me',
            );
            assert.equal(facts.filter(Boolean).length, BATCH);
            const media = await recordAttemptsMedia(
              tx,
              ids.map((id) => ({
                key: { tenantId: 'a', callId: id, n: 1 },
                facts: { contactAnsweredAt: now },
              })),
            );
            assert.equal(media.filter(Boolean).length, BATCH);
            const changed = await updateCallsForTransition(
              tx,
              ids.map((id) => ({
                tenantId: 'a',
                id,
                status: run === 0 ? 'connected' : 'dialing_contact',
                from: [run === 0 ? 'dialing_contact' : 'connected'],
                changes: {},
              })),
              now,
            );
            assert.equal(changed.filter(Boolean).length, BATCH);
          }
          const settled = await settleAttempts(
            tx,
            ids.map((id) => ({
              tenantId: 'a',
              callId: id,
              n: 1,
              outcome: 'answered',
              sipStatus: 200,
              sipReason: 'OK',
              endedAt: now,
            })),
          );
          assert.equal(settled.filter(Boolean).length, BATCH);
          assert.equal(await seqScans(tx, 'calls'), before.calls, 'a batch statement scanned calls');
          assert.equal(
            await seqScans(tx, 'call_attempts'),
            before.attempts,
            'a batch statement scanned call_attempts',
          );
        });
      } finally {
        await store.close();
        await drop();
      }
    });

for (const [kind, open] of STORE_KINDS)
  test(`${kind}: an accept batch's inline contacts that exist are updated by primary key, not by scanning contacts`, async () => {
    const { store, drop } = await open();
    try {
      const db = store.db;
      await sql`insert into tenants (id, name) values ('a', 'A')`.execute(db);
      await sql`insert into campaigns (tenant_id, id, data) values ('a', 'cmp', '{}'::jsonb)`.execute(db);
      await sql`
        insert into contacts (tenant_id, id, data, external_id)
        select 'a', 'ct-' || g, '{}'::jsonb, 'x-' || g from generate_series(1, ${CALLS}) g`.execute(db);
      await sql`analyze contacts`.execute(db);
      for (const mode of ['force_custom_plan', 'force_generic_plan'])
        await db.transaction().execute(async (tx) => {
          await sql.raw(`set local plan_cache_mode = ${mode}`).execute(tx);
          const before = await seqScans(tx, 'contacts');
          for (let run = 0; run < 2; run++) {
            const written = await upsertInlineContacts(
              tx,
              Array.from({ length: BATCH }, (_, i) => ({
                tenantId: 'a',
                campaignId: 'cmp',
                id: `ct-${i * 37 + 1}`,
                externalId: `x-${i * 37 + 1}`,
                data: { run },
                exists: true,
                at: now,
              })),
            );
            assert.equal(written.size, BATCH);
          }
          assert.equal(await seqScans(tx, 'contacts'), before, `${mode}: the update scanned contacts`);
        });
    } finally {
      await store.close();
      await drop();
    }
  });
