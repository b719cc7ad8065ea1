import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { verifyAuditChain } from '../../src/contract/audit-chain.ts';
import { appendAuditEvents, listAuditEvents } from '../../src/store/audit-events.ts';
import { insertCall } from '../../src/store/calls/calls.ts';
import { claimAgentWaiters, claimDueCalls } from '../../src/store/calls/claim.ts';
import { writeAcceptedBatch } from '../../src/store/calls/write-new-calls.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { ResourceRepository } from '../../src/store/resources.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { waitingCall } from '../support/waiting-call.ts';

after(() => stopTestPostgres());

function auditEvent(tenantId: string, requestId: string) {
  return {
    tenantId,
    requestId,
    clientId: 'c',
    method: 'GET',
    route: '/r',
    path: '/r',
    status: 200,
    code: null,
    durationMs: 1.5,
    ip: null,
    userAgent: null,
    bodyDigest: null,
    body: { b: [1, { z: 1, a: 2 }] },
    problem: null,
    at: new Date().toISOString(),
  };
}

for (const [kind, open] of STORE_KINDS) {
  describe(`store on ${kind}`, () => {
    test('migrations are applied once and re-running them is a no-op', async () => {
      const { store, drop } = await open();
      try {
        const rows = await sql<{ name: string }>`select name from pconn_migrations order by name`.execute(
          store.db,
        );
        assert.deepEqual(
          rows.rows.map((r) => r.name),
          Object.keys(MIGRATIONS),
        );
        const { migrate } = await import('../../src/store/migrate.ts');
        assert.deepEqual(await migrate(store.db as never), []);
        assert.equal(await store.ping(), true);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('every resource query is scoped by tenant', async () => {
      const { store, drop } = await open();
      try {
        await insertTenant(store.db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        await insertTenant(store.db, { id: 'b', name: 'B', defaultRegion: 'US', phoneTypes: ['mobile'] });
        const repo = new ResourceRepository<{ name: string }>('campaigns');
        assert.ok(await repo.insert(store.db, 'a', 'shared-id', { name: 'A' }));
        assert.ok(await repo.insert(store.db, 'b', 'shared-id', { name: 'B' }), 'ids are per tenant');
        assert.equal((await repo.find(store.db, 'a', 'shared-id'))?.data.name, 'A');
        assert.equal((await repo.find(store.db, 'b', 'shared-id'))?.data.name, 'B');
        assert.equal(await repo.find(store.db, 'b', 'only-a'), undefined);
        await repo.insert(store.db, 'a', 'only-a', { name: 'x' });
        assert.equal(await repo.find(store.db, 'b', 'only-a'), undefined);
        assert.equal(await repo.update(store.db, 'b', 'only-a', { name: 'hijack' }, new Date()), undefined);
        assert.equal(await repo.remove(store.db, 'b', 'only-a'), false);
        assert.deepEqual(
          (await repo.list(store.db, 'b', { limit: 10 })).map((r) => r.id),
          ['shared-id'],
        );
        assert.equal(
          await repo.insert(store.db, 'a', 'only-a', { name: 'dup' }),
          undefined,
          'duplicate id is reported, not thrown',
        );
      } finally {
        await store.close();
        await drop();
      }
    });

    test('concurrent audit batches extend each chain strictly in turn', async () => {
      const { store, drop } = await open();
      try {
        await insertTenant(store.db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            appendAuditEvents(store.db, [
              auditEvent('a', `r${i}-1`),
              auditEvent('a', `r${i}-2`),
              auditEvent(i % 2 ? 'a' : (null as unknown as string), `r${i}-3`),
            ]),
          ),
        );
        const entries = await listAuditEvents(store.db, 'a', { limit: 1000 });
        assert.equal(entries.length, 50);
        assert.deepEqual(
          entries.map((e) => e.sequence),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        assert.deepEqual(verifyAuditChain(entries), []);
        await sql`update audit_events set status = 500 where request_id = 'r3-1'`.execute(store.db);
        const tampered = await listAuditEvents(store.db, 'a', { limit: 1000 });
        assert.deepEqual(
          verifyAuditChain(tampered).map((b) => [b.requestId, b.reason]),
          [['r3-1', 'hash_mismatch']],
        );
      } finally {
        await store.close();
        await drop();
      }
    });

    test('entries hashed in SQL verify in node, whatever their text (unicode, escapes, odd numbers)', async () => {
      const { store, drop } = await open();
      try {
        await insertTenant(store.db, { id: 'u', name: 'U', defaultRegion: 'US', phoneTypes: ['mobile'] });
        const odd = [
          {
            ...auditEvent('u', 'r-emoji'),
            path: '/v1/contacts/🙂',
            body: { name: 'Zoë "Q" \\ 東京', nested: { y: [true, null], x: -0.000001 } },
          },
          {
            ...auditEvent('u', 'r-numbers'),
            durationMs: 1234.5678901234,
            status: 422,
            code: 'invalid_request',
          },
          { ...auditEvent('u', 'r-nulls'), clientId: null, body: null, bodyDigest: 'sha256:ab' },
          { ...auditEvent('u', 'r-control'), body: { s: 'tab\t, newline\n, bell\u0007, quote"' } },
        ];
        await appendAuditEvents(store.db, odd);
        await appendAuditEvents(store.db, [auditEvent('u', 'r-next')]);
        const entries = await listAuditEvents(store.db, 'u', { limit: 100 });
        assert.deepEqual(
          entries.map((e) => [e.sequence, e.requestId]),
          [
            [1, 'r-emoji'],
            [2, 'r-numbers'],
            [3, 'r-nulls'],
            [4, 'r-control'],
            [5, 'r-next'],
          ],
        );
        assert.deepEqual(verifyAuditChain(entries), []);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('claims take disjoint calls (FOR UPDATE SKIP LOCKED) and idempotency keys have one winner', async () => {
      const { store, drop } = await open();
      try {
        await insertTenant(store.db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        for (let i = 0; i < 40; i++) await insertCall(store.db, waitingCall(`call-${i}`));
        const claims = await Promise.all(
          Array.from({ length: 4 }, (_, i) => claimDueCalls(store.db, `owner-${i}`, 15, 30, new Date())),
        );
        const ids = claims.flat().map((c) => c.id);
        assert.equal(new Set(ids).size, ids.length, 'no call claimed twice');
        assert.equal(ids.length, 40);
        assert.deepEqual(
          await claimDueCalls(store.db, 'late', 10, 30, new Date()),
          [],
          'leased calls are not claimable',
        );
        const answer = { tenantId: 'a', key: 'same-key', fingerprint: 'fp', outcome: { kind: 'refused' } };
        const results = await Promise.all(
          Array.from({ length: 20 }, () => writeAcceptedBatch(store.db, [], [answer], 60, new Date())),
        );
        assert.equal(results.filter((r) => r.keys.size === 1).length, 1);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('a freed agent takes the calls waiting for it early, never one deferred to a time', async () => {
      const { store, drop } = await open();
      try {
        await insertTenant(store.db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);
        const waiting = (id: string, userId: string, nextAttemptAt: Date, scheduledFor: Date | null = null) =>
          insertCall(store.db, waitingCall(id, { userId, nextAttemptAt, scheduledFor }));
        await waiting('for-u', 'u', inSeconds(5));
        await waiting('for-other', 'other', inSeconds(5));
        await waiting('retry-at-time', 'u', inSeconds(5), inSeconds(5));
        await waiting('beyond-the-wait', 'u', inSeconds(60));
        assert.deepEqual(await claimDueCalls(store.db, 'poller', 10, 30, new Date()), [], 'none is due yet');
        const freed = [{ tenantId: 'a', userId: 'u', campaignId: null }];
        assert.deepEqual(await claimAgentWaiters(store.db, 'node', [], 10_000, 10, 30, new Date()), []);
        const taken = await claimAgentWaiters(store.db, 'node', freed, 10_000, 10, 30, new Date());
        assert.deepEqual(
          taken.map((call) => call.id),
          ['for-u'],
          'only the call waiting for the freed agent within the wait, not a retry deferred to a time',
        );
        assert.equal(taken[0]?.lease_owner, 'node');
        assert.deepEqual(
          await claimAgentWaiters(store.db, 'late', freed, 10_000, 10, 30, new Date()),
          [],
          'leased once',
        );
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
