import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import {
  deleteAttempts,
  insertAttempts,
  loadRetryFacts,
  lockCalls,
  settleAttempts,
} from '../../src/store/calls/attempt-batches.ts';
import { insertCall } from '../../src/store/calls/calls.ts';
import { loadDialFactsBatch } from '../../src/store/calls/load-dial-facts.ts';
import { insertCallEvents, updateCallsForTransition } from '../../src/store/calls/transition-call.ts';
import type { Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { PGliteDialect } from '../../src/store/pglite-dialect.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';
import { waitingCall } from '../support/waiting-call.ts';

/*
 * The statements of a call's life take their rows as one jsonb parameter, so each has ONE SQL
 * text whatever the batch size: PostgreSQL can prepare it and PGlite's prepared-statement cache
 * keeps it (a VALUES row per call made every batch size a text of its own). Each function runs
 * with 1 and with 3 rows on a Kysely whose `log` callback records the SQL it compiled, on both
 * stores; the rows they write and answer are checked along the way.
 */

after(() => stopTestPostgres());

/** A migrated store of `kind` opened with a query log, and what the log recorded. */
async function openLogged(kind: 'pglite' | 'postgres') {
  const texts: string[] = [];
  const log = (event: LogEvent) => {
    // BEGIN and COMMIT around lockCalls are not the statements under test.
    if (event.level === 'query' && !/^(begin|commit|rollback)\b/i.test(event.query.sql))
      texts.push(event.query.sql);
  };
  if (kind === 'pglite') {
    const pglite = await PGlite.create({ loadDataDir: await migratedPgliteImage() });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), log });
    return { db, texts, close: () => db.destroy() };
  }
  const database = await createTestDatabase();
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }),
    log,
  });
  await migrate(db as unknown as Kysely<unknown>);
  return {
    db,
    texts,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}

const DIALER = 'node-fixed';
const at = (iso: string) => new Date(iso);

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`fixed statement texts (${kind})`, () => {
    test('each call-life statement has one SQL text for 1 row and for 3 rows', async () => {
      const { db, texts, close } = await openLogged(kind);
      /** The distinct texts each function compiled, over all its runs. */
      const seen = new Map<string, Set<string>>();
      async function traced<T>(name: string, run: () => Promise<T>): Promise<T> {
        texts.length = 0;
        const answer = await run();
        assert.ok(texts.length > 0, `${name} ran a statement`);
        const set = seen.get(name) ?? new Set<string>();
        for (const text of texts) set.add(text);
        seen.set(name, set);
        return answer;
      }
      try {
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        for (const id of ['c1', 'c2', 'c3', 'c4'])
          await insertCall(db, {
            ...waitingCall(id, { scheduledFor: at('2030-01-01T00:00:00.000Z') }),
            trace_context: null,
          });
        const key = (callId: string, n = 1) => ({ tenantId: 'a', callId, n });
        const attempt = (callId: string, n: number) => ({
          ...key(callId, n),
          userId: callId === 'c2' ? null : 'u',
          startedAt: at('2026-12-05T10:00:00.123Z'),
          decision: callId === 'c3' ? null : { allowed: true, callId },
          driver: 'sandbox',
        });

        await traced('insertAttempts', () => insertAttempts(db, [attempt('c1', 1)]));
        await traced('insertAttempts', () =>
          insertAttempts(db, [attempt('c2', 1), attempt('c3', 1), attempt('c4', 1)]),
        );
        const attempts = await sql<{
          call_id: string;
          user_id: string | null;
          started_at: Date;
          decision: unknown;
        }>`
          select call_id, user_id, started_at, decision from call_attempts order by call_id`.execute(db);
        assert.deepEqual(
          attempts.rows.map((r) => [r.call_id, r.user_id, r.started_at.toISOString(), r.decision]),
          [
            ['c1', 'u', '2026-12-05T10:00:00.123Z', { allowed: true, callId: 'c1' }],
            ['c2', null, '2026-12-05T10:00:00.123Z', { allowed: true, callId: 'c2' }],
            // A null decision is stored as JSON null (the column is not null), as before.
            ['c3', 'u', '2026-12-05T10:00:00.123Z', null],
            ['c4', 'u', '2026-12-05T10:00:00.123Z', { allowed: true, callId: 'c4' }],
          ],
        );

        await insertAttempts(db, [attempt('c1', 2), attempt('c2', 2), attempt('c3', 2), attempt('c4', 2)]);
        await traced('deleteAttempts', () => deleteAttempts(db, [key('c1', 2)]));
        await traced('deleteAttempts', () => deleteAttempts(db, [key('c2', 2), key('c3', 2), key('c9', 2)]));
        const left = await sql<{ call_id: string }>`select call_id from call_attempts where n = 2`.execute(
          db,
        );
        assert.deepEqual(
          left.rows.map((r) => r.call_id),
          ['c4'],
        );

        const ended = at('2026-12-05T10:01:00.456Z');
        const settle = (callId: string, outcome: string, sipStatus: number | null, n = 1) => ({
          ...key(callId, n),
          outcome,
          sipStatus,
          sipReason: sipStatus === null ? null : 'Busy Here',
          endedAt: ended,
        });
        assert.deepEqual(
          await traced('settleAttempts', () => settleAttempts(db, [settle('c1', 'busy', 486)])),
          [true],
        );
        assert.deepEqual(
          await traced('settleAttempts', () =>
            settleAttempts(db, [
              settle('c1', 'failed', 500),
              settle('c2', 'agent_no_answer', null),
              settle('c3', 'no_answer', 480),
            ]),
          ),
          [false, true, true],
          'answers follow the order given; a settled attempt is not settled again',
        );
        const settled = await sql<{
          call_id: string;
          outcome: string | null;
          sip_status: number | null;
          sip_reason: string | null;
          ended_at: Date | null;
        }>`select call_id, outcome, sip_status, sip_reason, ended_at from call_attempts where n = 1
          order by call_id`.execute(db);
        assert.deepEqual(
          settled.rows.map((r) => [
            r.call_id,
            r.outcome,
            r.sip_status,
            r.sip_reason,
            r.ended_at?.toISOString(),
          ]),
          [
            ['c1', 'busy', 486, 'Busy Here', ended.toISOString()],
            ['c2', 'agent_no_answer', null, null, ended.toISOString()],
            ['c3', 'no_answer', 480, 'Busy Here', ended.toISOString()],
            ['c4', null, null, null, undefined],
          ],
        );

        const locked1 = await traced('lockCalls', () =>
          db.transaction().execute((tx) => lockCalls(tx, [{ tenantId: 'a', callId: 'c1' }])),
        );
        const locked3 = await traced('lockCalls', () =>
          db.transaction().execute((tx) =>
            lockCalls(tx, [
              { tenantId: 'a', callId: 'c3' },
              { tenantId: 'a', callId: 'c2' },
              { tenantId: 'a', callId: 'c9' },
            ]),
          ),
        );
        assert.deepEqual([...locked1.keys()], ['a/c1']);
        assert.deepEqual([...locked3.keys()], ['a/c2', 'a/c3'], 'in key order; an unknown call is absent');

        const rows = [...locked1.values(), ...locked3.values()];
        const facts1 = await traced('loadRetryFacts', () => loadRetryFacts(db, rows.slice(0, 1)));
        const facts3 = await traced('loadRetryFacts', () =>
          loadRetryFacts(db, [...rows.slice(1), ...rows.slice(0, 1)]),
        );
        assert.deepEqual(facts1, [
          { retryPolicy: null, maxAttemptsPerContact: null, contactAttempts: null, agentMisses: 0 },
        ]);
        assert.deepEqual(
          facts3.map((f) => f.agentMisses),
          [1, 0, 0],
          'in the order given: c2 missed its agent once',
        );

        const leased = at('2026-12-05T10:02:00.789Z');
        const now = at('2026-12-05T10:00:30.000Z');
        const one = await traced('updateCallsForTransition', () =>
          updateCallsForTransition(
            db,
            [
              {
                tenantId: 'a',
                id: 'c1',
                status: 'dialing_user',
                from: ['queued'],
                changes: { user_id: 'u', leased_until: leased, waiting_for_agent: true, attempts_made: 1 },
              },
            ],
            now,
          ),
        );
        assert.equal(one.length, 1);
        assert.equal(one[0]?.row.status, 'dialing_user');
        assert.equal(one[0]?.row.user_id, 'u');
        assert.equal(one[0]?.row.waiting_for_agent, true);
        assert.equal(one[0]?.row.attempts_made, 1);
        assert.equal(one[0]?.row.leased_until?.toISOString(), leased.toISOString());
        assert.equal(one[0]?.row.event_sequence, 1);
        assert.equal(one[0]?.row.updated_at.toISOString(), now.toISOString());
        assert.equal(one[0]?.campaignStatus, null);
        assert.deepEqual(
          one[0]?.attempts.map((a) => a.n),
          [1],
        );
        const three = await traced('updateCallsForTransition', () =>
          updateCallsForTransition(
            db,
            [
              // JSON null sets SQL null; keys not given keep their values.
              {
                tenantId: 'a',
                id: 'c2',
                status: 'scheduled',
                from: ['queued'],
                changes: { scheduled_for: null },
              },
              { tenantId: 'a', id: 'c3', status: 'connected', from: ['dialing_contact'], changes: {} },
              {
                tenantId: 'a',
                id: 'c4',
                status: 'completed',
                from: ['queued', 'connected'],
                changes: { outcome: 'answered' },
              },
            ],
            now,
          ),
        );
        assert.equal(three.length, 3);
        assert.equal(three[0]?.row.id, 'c2');
        assert.equal(three[0]?.row.status, 'scheduled');
        assert.equal(three[0]?.row.scheduled_for, null);
        assert.equal(three[0]?.row.requested_user_id, 'u', 'a column not named keeps its value');
        assert.equal(three[1], undefined, 'c3 was in none of its from states');
        assert.equal(three[2]?.row.id, 'c4');
        assert.equal(three[2]?.row.outcome, 'answered');
        assert.equal(three[2]?.row.scheduled_for?.toISOString(), '2030-01-01T00:00:00.000Z');
        const c3 = await sql<{ status: string; event_sequence: number; decision: unknown }>`
          select status, event_sequence, decision from calls where id in ('c3', 'c4') order by id`.execute(
          db,
        );
        // The call row keeps no decision (its attempts and timeline do): null on both.
        assert.deepEqual(
          c3.rows.map((r) => [r.status, r.event_sequence, r.decision]),
          [
            ['queued', 0, null],
            ['completed', 1, null],
          ],
        );
        await assert.rejects(
          updateCallsForTransition(
            db,
            [
              {
                tenantId: 'a',
                id: 'c4',
                status: 'failed',
                from: ['completed'],
                changes: { decision: {} } as never,
              },
            ],
            now,
          ),
          /a transition cannot set calls\.decision/,
        );

        const event = (callId: string, sequence: number) => ({
          tenantId: 'a',
          callId,
          campaignId: null,
          sequence,
          type: 'call.status_changed',
          data: { callId, sequence, note: 'Zoë "☎"' },
        });
        await traced('insertCallEvents', () => insertCallEvents(db, [event('c1', 1)]));
        await traced('insertCallEvents', () =>
          insertCallEvents(db, [event('c2', 1), event('c4', 1), event('c2', 2)]),
        );
        const events = await sql<{ call_id: string; sequence: number; data: unknown }>`
          select call_id, sequence, data from call_events order by id`.execute(db);
        assert.deepEqual(
          events.rows.map((r) => [r.call_id, r.sequence, r.data]),
          [
            ['c1', 1, event('c1', 1).data],
            ['c2', 1, event('c2', 1).data],
            ['c4', 1, event('c4', 1).data],
            ['c2', 2, event('c2', 2).data],
          ],
          'inserted in the order given',
        );

        const dial1 = await traced('loadDialFactsBatch', () =>
          loadDialFactsBatch(db, [{ tenantId: 'a', callId: 'c2' }], DIALER),
        );
        const dial3 = await traced('loadDialFactsBatch', () =>
          loadDialFactsBatch(
            db,
            [
              { tenantId: 'a', callId: 'c3' },
              { tenantId: 'a', callId: 'c9' },
              { tenantId: 'a', callId: 'c1' },
            ],
            DIALER,
          ),
        );
        assert.deepEqual(
          dial1.map((f) => f?.call.id),
          ['c2'],
        );
        assert.deepEqual(
          dial3.map((f) => f?.call.id),
          ['c3', undefined, 'c1'],
          'in the order given; an unknown call is undefined',
        );

        // Copies read with their row versions (the pre-dial read's): the statement that answers
        // from them is a second text, one for any batch too.
        const fromCopy1 = await traced('updateCallsForTransition (known copies)', () =>
          updateCallsForTransition(
            db,
            [
              {
                tenantId: 'a',
                id: 'c1',
                status: 'dialing_contact',
                from: ['dialing_user'],
                changes: {},
                known: dial3[2]?.call,
              },
            ],
            now,
          ),
        );
        const fromCopy3 = await traced('updateCallsForTransition (known copies)', () =>
          updateCallsForTransition(
            db,
            [
              {
                tenantId: 'a',
                id: 'c3',
                status: 'canceled',
                from: ['queued'],
                changes: {},
                known: dial3[0]?.call,
              },
              {
                tenantId: 'a',
                id: 'c2',
                status: 'canceled',
                from: ['scheduled'],
                changes: {},
                known: dial1[0]?.call,
              },
              {
                tenantId: 'a',
                id: 'c1',
                status: 'connected',
                from: ['dialing_contact'],
                changes: {},
                known: fromCopy1[0]?.row,
              },
            ],
            now,
          ),
        );
        assert.deepEqual(
          [...fromCopy1, ...fromCopy3].map((answer) => [answer?.row.id, answer?.row.status]),
          [
            ['c1', 'dialing_contact'],
            ['c3', 'canceled'],
            ['c2', 'canceled'],
            ['c1', 'connected'],
          ],
        );

        assert.deepEqual(
          [...seen].filter(([, set]) => set.size !== 1).map(([name, set]) => `${name}: ${set.size} texts`),
          [],
          'every function compiled one text for 1 row and for 3 rows',
        );
        assert.equal(seen.size, 9);
      } finally {
        await close();
      }
    });
  });
}
