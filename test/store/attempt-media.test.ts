// Attempt media facts (migration 0016, recordAttemptMedia), the campaign defaults 0016 gives old
// documents, and the abandonment ledger recomputed from attempt rows — on both stores.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import type { RequestContext } from '../../src/domain/request-context.ts';
import { presentCall } from '../../src/service/calls/present-call.ts';
import { abandonmentReport } from '../../src/service/campaigns/abandonment-report.ts';
import { settleAttempts } from '../../src/store/calls/attempt-batches.ts';
import { recordAttemptMedia } from '../../src/store/calls/attempt-media.ts';
import { insertAttempt, insertCall, listAttempts, settleAttempt } from '../../src/store/calls/calls.ts';
import type { Db } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { ResourceRepository } from '../../src/store/resources.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { waitingCall } from '../support/waiting-call.ts';

after(() => stopTestPostgres());

const NOW = new Date('2026-03-31T12:00:00Z');
const ctx: RequestContext = {
  principal: { tenantId: 'a', clientId: 'c', scopes: new Set(['campaigns:read']), issuer: 'pconn' },
  tenant: { id: 'a', defaultRegion: 'US', phoneTypes: ['mobile'] },
  requestId: 'req',
  now: NOW,
};

let callCount = 0;
/** One campaign call with one attempt started at `at`; returns the attempt's key. */
async function attempt(db: Db, campaignId: string, at: string) {
  const id = `call-${++callCount}`;
  await insertCall(db, { ...waitingCall(id), kind: 'campaign', campaign_id: campaignId });
  await insertAttempt(db, {
    tenant_id: 'a',
    call_id: id,
    n: 1,
    user_id: 'u',
    started_at: new Date(at),
    driver: 'sandbox',
    decision: {},
  });
  return { tenantId: 'a', callId: id, n: 1 };
}

/** An attempt the contact answered at `at`, with an optional verdict and outcome. */
async function answered(
  db: Db,
  campaignId: string,
  at: string,
  options: { verdict?: 'human' | 'machine' | 'fax' | 'invalid_number'; outcome?: string } = {},
) {
  const key = await attempt(db, campaignId, at);
  await recordAttemptMedia(db, key, {
    contactAnsweredAt: new Date(at),
    ...(options.verdict
      ? { analysis: { verdict: options.verdict, decidedAtMs: 1800, beepAtMs: null, features: {} } }
      : {}),
  });
  await settleAttempt(db, key, {
    outcome: options.outcome ?? 'answered',
    sipStatus: 200,
    sipReason: null,
    endedAt: new Date(Date.parse(at) + 60_000),
  });
}

for (const [kind, open] of STORE_KINDS) {
  describe(`attempt media on ${kind}`, () => {
    test('recordAttemptMedia keeps the first instant and verdict, the last media report', async () => {
      const { store, drop } = await open();
      try {
        const db = store.db;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        const key = await attempt(db, 'media', '2026-03-31T10:00:00Z');
        const answeredAt = new Date('2026-03-31T10:00:05.250Z');
        const analysis = {
          verdict: 'machine' as const,
          decidedAtMs: 2140,
          beepAtMs: 6200,
          features: { reason: 'long_greeting', words: 7 },
        };
        assert.equal(await recordAttemptMedia(db, key, { contactAnsweredAt: answeredAt, analysis }), true);
        const first = {
          packetsReceived: 100,
          packetsLost: 1,
          jitterMs: 2.5,
          packetsSent: 90,
          codec: 'PCMU' as const,
        };
        const last = { ...first, packetsReceived: 400, packetsLost: 3 };
        assert.equal(
          await recordAttemptMedia(db, key, {
            contactAnsweredAt: new Date('2026-03-31T11:00:00Z'),
            analysis: { ...analysis, verdict: 'human' },
            media: first,
            machineMessagePlayedAt: new Date('2026-03-31T10:00:12Z'),
          }),
          true,
        );
        await recordAttemptMedia(db, key, {
          media: last,
          agentConnectedAt: new Date('2026-03-31T10:00:30Z'),
        });
        assert.equal(
          await recordAttemptMedia(db, { ...key, n: 2 }, { media: last }),
          false,
          'no such attempt',
        );
        assert.equal(
          await recordAttemptMedia(db, key, {}),
          true,
          'nothing to record still finds the attempt',
        );
        const [row] = await listAttempts(db, 'a', [key.callId]);
        assert.ok(row, 'the attempt is listed');
        const call = presentCall(
          { ...waitingCall(key.callId), seq: '1', created_at: NOW, updated_at: NOW } as never,
          [row],
        );
        const presented = call.attempts[0];
        assert.equal(presented?.contactAnsweredAt, answeredAt.toISOString());
        assert.deepEqual(presented?.analysis, analysis);
        assert.deepEqual(presented?.media, last);
        assert.equal(presented?.machineMessagePlayedAt, '2026-03-31T10:00:12.000Z');
        assert.equal(presented?.agentConnectedAt, '2026-03-31T10:00:30.000Z');
        assert.equal(presented?.abandonPromptPlayedAt, null);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('settleAttempts records the facts that came with the end, as recordAttemptMedia would, and only with the settle', async () => {
      const { store, drop } = await open();
      try {
        const db = store.db;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        const key = await attempt(db, 'settled', '2026-03-31T10:00:00Z');
        const answeredAt = new Date('2026-03-31T10:00:05Z');
        const analysis = { verdict: 'human' as const, decidedAtMs: 1500, beepAtMs: null, features: {} };
        await recordAttemptMedia(db, key, { contactAnsweredAt: answeredAt, analysis });
        const media = {
          packetsReceived: 400,
          packetsLost: 3,
          jitterMs: 2.5,
          packetsSent: 390,
          codec: 'PCMU' as const,
        };
        const end = { ...key, outcome: 'answered', sipStatus: 200, sipReason: null, endedAt: NOW };
        const facts = {
          contactAnsweredAt: new Date('2026-03-31T11:00:00Z'),
          analysis: { ...analysis, verdict: 'machine' as const },
          media,
          agentConnectedAt: new Date('2026-03-31T10:00:06Z'),
        };
        assert.deepEqual(await settleAttempts(db, [{ ...end, media: facts }]), [true]);
        const later = { ...media, packetsReceived: 900 };
        assert.deepEqual(
          await settleAttempts(db, [{ ...end, outcome: 'failed', media: { media: later } }]),
          [false],
          'settled once',
        );
        const [row] = await listAttempts(db, 'a', [key.callId]);
        assert.ok(row, 'the attempt is listed');
        assert.equal(row.outcome, 'answered');
        assert.equal(
          new Date(row.contact_answered_at as Date).toISOString(),
          answeredAt.toISOString(),
          'first answer kept',
        );
        assert.deepEqual(row.analysis, analysis, 'first verdict kept');
        assert.deepEqual(row.media, media, 'the report that came with the settle, not the one after it');
        assert.equal(new Date(row.agent_connected_at as Date).toISOString(), '2026-03-31T10:00:06.000Z');
        assert.equal(row.abandon_prompt_played_at ?? null, null);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('migration 0016 gives campaigns written before it every dialing default', async () => {
      const { store, drop } = await open();
      try {
        const db = store.db;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        // Back to the schema before 0016, with a campaign document of that time.
        await sql`delete from pconn_migrations where name = '0016-dialing-settings'`.execute(db);
        await sql`alter table call_attempts drop column contact_answered_at, drop column analysis,
          drop column media, drop column abandon_prompt_played_at, drop column machine_message_played_at,
          drop column agent_connected_at`.execute(db);
        const repo = new ResourceRepository<Record<string, unknown>>('campaigns');
        await repo.insert(db, 'a', 'old', {
          name: 'Old',
          status: 'draft',
          dialingMode: 'manual',
          retryPolicy: { busy: { retry: false, gapSeconds: 5 }, minRedialGapSeconds: 60 },
        });
        // 0016 again over the older document (later migrations stay applied: hence unordered).
        const again = new Migrator({
          db: db as never,
          provider: { getMigrations: async () => MIGRATIONS },
          migrationTableName: 'pconn_migrations',
          migrationLockTableName: 'pconn_migrations_lock',
          allowUnorderedMigrations: true,
        });
        const { error, results } = await again.migrateToLatest();
        assert.equal(error, undefined, String(error));
        assert.deepEqual(
          results?.map((r) => `${r.migrationName} ${r.status}`),
          ['0016-dialing-settings Success'],
        );
        const data = (await repo.find(db, 'a', 'old'))?.data;
        assert.equal(data?.dialingMode, 'manual', 'what the document had is kept');
        assert.equal(data?.jurisdiction, 'us_fcc');
        assert.equal(data?.wrapUpSeconds, 10);
        assert.equal(data?.agentFirst, true);
        assert.deepEqual(data?.pacing, { abandonRateTarget: 0.03, maxLinesPerAgent: 3 });
        assert.equal((data?.answerDetection as { greetingMs?: number } | undefined)?.greetingMs, 1500);
        assert.equal(data?.abandonPromptId, null);
        assert.deepEqual(data?.retryPolicy, {
          busy: { retry: false, gapSeconds: 5 },
          minRedialGapSeconds: 60,
          machine: { retry: true, gapSeconds: 3600 },
          fax: { retry: false, gapSeconds: 0 },
        });
      } finally {
        await store.close();
        await drop();
      }
    });

    test('the ledger equals a hand count of the attempt rows', async () => {
      const { store, drop } = await open();
      try {
        const db = store.db;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        const repo = new ResourceRepository<Record<string, unknown>>('campaigns');
        await repo.insert(db, 'a', 'fcc', { name: 'FCC', status: 'running', jurisdiction: 'us_fcc' });
        await repo.insert(db, 'a', 'free', { name: 'None', status: 'running', jurisdiction: 'none' });
        for (const campaign of ['fcc', 'free']) {
          // 39 days before now: in the range asked below for the wide query only.
          for (let i = 0; i < 3; i++) await answered(db, campaign, `2026-02-20T09:0${i}:00Z`);
          // 30 March: 10 live answers (one abandoned), 2 machines, a fax, a SIT, a no-answer.
          for (let i = 0; i < 10; i++)
            await answered(db, campaign, `2026-03-30T1${i}:00:00Z`, {
              verdict: 'human',
              outcome: i === 4 ? 'abandoned' : 'answered',
            });
          await answered(db, campaign, '2026-03-30T08:00:00Z', { verdict: 'machine', outcome: 'machine' });
          await answered(db, campaign, '2026-03-30T08:10:00Z', { verdict: 'machine', outcome: 'machine' });
          await answered(db, campaign, '2026-03-30T08:20:00Z', { verdict: 'fax', outcome: 'fax' });
          await answered(db, campaign, '2026-03-30T08:30:00Z', {
            verdict: 'invalid_number',
            outcome: 'invalid_number',
          });
          const noAnswer = await attempt(db, campaign, '2026-03-30T08:40:00Z');
          await settleAttempt(db, noAnswer, {
            outcome: 'no_answer',
            sipStatus: 480,
            sipReason: null,
            endedAt: new Date('2026-03-30T08:41:00Z'),
          });
          // 31 March (today, now 12:00): 5 live answers (one abandoned, no analysis) and an
          // abandoned attempt written without contactAnsweredAt, counted at its end.
          for (let i = 0; i < 5; i++)
            await answered(db, campaign, `2026-03-31T0${i + 5}:00:00Z`, {
              outcome: i === 0 ? 'abandoned' : 'answered',
            });
          const bare = await attempt(db, campaign, '2026-03-31T10:00:00Z');
          await settleAttempt(db, bare, {
            outcome: 'abandoned',
            sipStatus: 200,
            sipReason: null,
            endedAt: new Date('2026-03-31T10:00:30Z'),
          });
        }
        // Another campaign's abandons never count.
        await answered(db, 'other', '2026-03-31T09:30:00Z', { outcome: 'abandoned' });

        const fcc = await abandonmentReport(db, ctx, 'fcc', { from: '2026-03-29', to: '2026-03-31' });
        assert.equal(fcc.cap, 0.03);
        assert.equal(fcc.timeZone, 'UTC');
        assert.deepEqual(
          fcc.days.map((d) => [d.day, d.liveAnswers, d.abandoned, d.restricted]),
          [
            ['2026-03-29', 0, 0, false],
            ['2026-03-30', 10, 1, true],
            ['2026-03-31', 6, 2, true],
          ],
        );
        assert.equal(fcc.days[1]?.rate, 0.1);
        assert.deepEqual(
          {
            live: fcc.rolling30Days.liveAnswers,
            abandoned: fcc.rolling30Days.abandoned,
            restricted: fcc.rolling30Days.restricted,
            to: fcc.rolling30Days.to,
          },
          { live: 16, abandoned: 3, restricted: true, to: NOW.toISOString() },
        );
        assert.equal(fcc.rolling30Days.rate, 3 / 16);

        const wide = await abandonmentReport(db, ctx, 'fcc', { from: '2026-02-20', to: '2026-03-31' });
        assert.equal(wide.days.length, 40);
        assert.deepEqual(wide.days[0], {
          day: '2026-02-20',
          liveAnswers: 3,
          abandoned: 0,
          rate: 0,
          cap: 0.03,
          restricted: false,
        });
        assert.equal(wide.rolling30Days.liveAnswers, 16, 'February is outside the rolling 30 days');

        const free = await abandonmentReport(db, ctx, 'free', { from: '2026-03-30', to: '2026-03-31' });
        assert.equal(free.cap, null);
        assert.deepEqual(
          free.days.map((d) => [d.liveAnswers, d.abandoned, d.cap, d.restricted]),
          [
            [10, 1, null, false],
            [6, 2, null, false],
          ],
        );
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
