import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { CallStepWriter } from '../../src/dialer/call-step-writer.ts';
import type { AttemptResult } from '../../src/dialer/call-steps.ts';
import { recordTransition } from '../../src/service/calls/record-transition.ts';
import type { CallRow } from '../../src/store/calls/call-rows.ts';
import { findCall, insertCall, listAttempts, listCallEvents } from '../../src/store/calls/calls.ts';
import type { Db } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { SteppedClock } from '../support/stepped-clock.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(() => stopTestPostgres());

const clock = new SteppedClock();

/** `count` fresh direct calls, queued and leased by `owner`. */
async function queuedCalls(db: Db, prefix: string, count: number): Promise<CallRow[]> {
  await sql`insert into tenants (id, name) values ('t1', 'T1') on conflict do nothing`.execute(db);
  const rows: CallRow[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`;
    await insertCall(db, {
      tenant_id: 't1',
      id,
      kind: 'direct',
      campaign_id: null,
      contact_id: null,
      requested_user_id: 'agent',
      user_id: null,
      to_number: '+12125550100',
      phone_type: null,
      caller_id: '+14155550100',
      status: 'queued',
      outcome: null,
      reason: null,
      outside_window: 'schedule',
      not_before: null,
      scheduled_for: null,
      next_attempt_at: clock.now(),
      metadata: {},
      sandbox: true,
    });
    await sql`update calls set lease_owner = 'me' where tenant_id = 't1' and id = ${id}`.execute(db);
    rows.push((await findCall(db, 't1', id)) as CallRow);
  }
  return rows;
}

const types = async (db: Db, id: string) => (await listCallEvents(db, 't1', id)).map((e) => e.type);

for (const [kind, open] of STORE_KINDS) {
  describe(`call step writer (${kind})`, () => {
    test('the steps of many calls go out in one commit, each caller gets its own answer', async () => {
      const { store, drop } = await open();
      try {
        const writer = new CallStepWriter(store.db, clock);
        const calls = await queuedCalls(store.db, 'many', 20);
        const begun = await Promise.all(
          calls.map((call) =>
            writer.write({
              kind: 'begin',
              call,
              userId: 'agent',
              decision: { outcome: 'allowed' },
              driver: 'x',
            }),
          ),
        );
        assert.equal(writer.flushes, 1, 'twenty begins, one batch');
        for (const [i, answer] of begun.entries()) {
          assert.equal(answer?.n, 1, `call ${i} began attempt 1`);
          assert.equal(answer?.call.status, 'dialing_user', `call ${i} is dialing the agent`);
          assert.equal(answer?.call.id, calls[i]?.id, `call ${i} got its own answer`);
        }
        // The timeline entry presents the call with the attempt just written, as before batching.
        const [first] = await listCallEvents(store.db, 't1', 'many-0');
        const data = first?.data as { call: { status: string; attempts: { n: number }[] }; attempt: number };
        assert.equal(first?.type, 'call.dialing_user');
        assert.equal(data.call.status, 'dialing_user');
        assert.deepEqual(
          data.call.attempts.map((a) => a.n),
          [1],
        );
        assert.equal(data.attempt, 1);

        const ended = (outcome: AttemptResult['outcome'], talked: boolean): AttemptResult => ({
          outcome,
          sipStatus: talked ? 200 : 486,
          sipReason: 'x',
          talked,
        });
        const results = calls.map((_, i) =>
          i % 3 === 0
            ? ended('canceled', false)
            : i % 3 === 1
              ? ended('busy', false)
              : ended('agent_no_answer', false),
        );
        const flushesBefore = writer.flushes;
        const settled = await Promise.all(
          calls.map((call, i) =>
            writer.write({
              kind: 'finish',
              tenantId: 't1',
              callId: call.id,
              n: 1,
              result: results[i] as AttemptResult,
            }),
          ),
        );
        assert.equal(writer.flushes - flushesBefore, 1, 'twenty settles, one batch');
        for (const [i, row] of settled.entries()) {
          // Direct calls are not retried, except when the agent missed the call.
          const expected = i % 3 === 0 ? 'canceled' : i % 3 === 1 ? 'failed' : 'queued';
          assert.equal(row?.status, expected, `call ${i}`);
          assert.equal(row?.lease_owner, null, `call ${i} released`);
        }
        assert.deepEqual(await types(store.db, 'many-0'), ['call.dialing_user', 'call.canceled']);
        assert.deepEqual(await types(store.db, 'many-2'), ['call.dialing_user', 'call.queued']);
        const [attempt] = await listAttempts(store.db, 't1', ['many-1']);
        assert.equal(attempt?.outcome, 'busy');
        // A second settle of the same attempt changes nothing (recovery and a late event agree).
        const again = await writer.write({
          kind: 'finish',
          tenantId: 't1',
          callId: 'many-0',
          n: 1,
          result: ended('network_error', false),
        });
        assert.equal(again?.status, 'canceled');
        assert.deepEqual(await types(store.db, 'many-0'), ['call.dialing_user', 'call.canceled']);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('a call cancelled before the batch commits is not begun: no attempt, no entry', async () => {
      const { store, drop } = await open();
      try {
        const writer = new CallStepWriter(store.db, clock);
        const calls = await queuedCalls(store.db, 'race', 3);
        // The cancel commits after the dialer read the call and before its attempt is written.
        await store.db
          .transaction()
          .execute((tx) =>
            recordTransition(tx, calls[1] as CallRow, 'canceled', { outcome: 'canceled' }, {}, clock.now()),
          );
        const begun = await Promise.all(
          calls.map((call) =>
            writer.write({ kind: 'begin', call, userId: 'agent', decision: {}, driver: 'x' }),
          ),
        );
        assert.equal(writer.flushes, 1, 'one batch');
        assert.equal(begun[0]?.call.status, 'dialing_user');
        assert.equal(begun[1], undefined, 'the cancelled call is not ours to dial');
        assert.equal(begun[2]?.call.status, 'dialing_user');
        assert.deepEqual(await listAttempts(store.db, 't1', ['race-1']), [], 'its attempt was taken back');
        assert.deepEqual(await types(store.db, 'race-1'), ['call.canceled']);
        assert.equal((await findCall(store.db, 't1', 'race-1'))?.attempts_made, 0);
      } finally {
        await store.close();
        await drop();
      }
    });

    test("one call's steps queued together are written in order, in separate batches", async () => {
      const { store, drop } = await open();
      try {
        const writer = new CallStepWriter(store.db, clock);
        const [call] = await queuedCalls(store.db, 'order', 1);
        const begun = await writer.write({
          kind: 'begin',
          call: call as CallRow,
          userId: 'agent',
          decision: {},
          driver: 'x',
        });
        const row = begun?.call as CallRow;
        const steps = [
          writer.write({ kind: 'transition', call: row, status: 'dialing_contact', changes: {}, extra: {} }),
          writer.write({ kind: 'transition', call: row, status: 'connected', changes: {}, extra: {} }),
          writer.write({
            kind: 'finish',
            tenantId: 't1',
            callId: row.id,
            n: 1,
            result: { outcome: 'answered', sipStatus: 200, sipReason: 'bye', talked: true },
          }),
        ];
        const [contact, connected, done] = await Promise.all(steps);
        assert.equal(contact?.status, 'dialing_contact');
        assert.equal(connected?.status, 'connected');
        assert.equal(done?.status, 'completed');
        const events = await listCallEvents(store.db, 't1', row.id);
        assert.deepEqual(
          events.map((e) => [e.sequence, e.type]),
          [
            [1, 'call.dialing_user'],
            [2, 'call.dialing_contact'],
            [3, 'call.connected'],
            [4, 'call.completed'],
          ],
        );
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
