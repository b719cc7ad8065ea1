// The unauthenticated audit chain (anyone on the network adds to it) is pruned to its bounds
// behind a checkpoint entry, and stays verifiable: verification starts where the newest
// checkpoint says, while an entry missing beyond what a checkpoint declares is still a gap.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { checkpointOf, verifyAuditChain } from '../../src/contract/audit-chain.ts';
import { auditCheckpointEntry } from '../../src/service/audit/unauthenticated-retention.ts';
import {
  appendAuditEvents,
  listAuditEvents,
  type NewAuditEvent,
  UNAUTHENTICATED_CHAIN,
} from '../../src/store/audit-events.ts';
import { type ChainBounds, pruneAuditChain } from '../../src/store/audit-retention.ts';
import type { Db } from '../../src/store/database.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

/** Prunes `chain` to `bounds` as the retention service does, its checkpoint written at `at`. */
const prune = (db: Db, chain: string, bounds: ChainBounds, at: Date) =>
  pruneAuditChain(db, chain, bounds, auditCheckpointEntry(chain, bounds, at));

after(() => stopTestPostgres());

const T0 = Date.parse('2026-01-01T00:00:00Z');

function entry(tenantId: string | null, requestId: string, atMs: number): NewAuditEvent {
  return {
    tenantId,
    requestId,
    clientRequestId: null,
    clientId: null,
    method: 'GET',
    route: '/v1/campaigns',
    path: '/v1/campaigns',
    status: 401,
    code: 'missing_token',
    durationMs: 0.5,
    ip: '198.51.100.7',
    userAgent: 'flood',
    bodyDigest: null,
    body: null,
    problem: null,
    at: new Date(atMs).toISOString(),
  };
}

/** `count` token-less entries, one second apart from `startMs`. */
async function flood(db: Db, count: number, startMs: number, prefix: string): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => entry(null, `${prefix}${i}`, startMs + i * 1000));
  await appendAuditEvents(db, events);
}

const all = (db: Db, chain: string) => listAuditEvents(db, chain, { limit: 100_000 });

for (const [kind, open] of STORE_KINDS) {
  describe(`audit retention (${kind})`, () => {
    test('pruning by count keeps the newest entries and the chain verifies from its checkpoint', async () => {
      const { store, drop } = await open();
      try {
        await flood(store.db, 50, T0, 'a');
        const outcome = await prune(
          store.db,
          UNAUTHENTICATED_CHAIN,
          { olderThan: new Date(T0 - 1), maxEntries: 20 },
          new Date(T0 + 60_000),
        );
        assert.equal(outcome.pruned, 30);
        const kept = await all(store.db, UNAUTHENTICATED_CHAIN);
        assert.equal(kept.length, 21, 'the 20 newest and the checkpoint');
        assert.equal(kept[0]?.sequence, 31);
        const checkpoint = kept.at(-1);
        assert.deepEqual(checkpoint && checkpointOf(checkpoint)?.prunedThroughSequence, 30);
        assert.deepEqual(verifyAuditChain(kept), []);
        // More entries, a second pruning: the newest checkpoint is the anchor.
        await flood(store.db, 10, T0 + 100_000, 'b');
        await prune(
          store.db,
          UNAUTHENTICATED_CHAIN,
          { olderThan: new Date(T0 - 1), maxEntries: 5 },
          new Date(T0 + 200_000),
        );
        const after = await all(store.db, UNAUTHENTICATED_CHAIN);
        assert.equal(after.length, 6);
        assert.deepEqual(verifyAuditChain(after), []);
        // Deleting one entry more than the checkpoint declares is still caught.
        const first = after[0]?.sequence ?? 0;
        await sql`delete from audit_events where chain = '-' and sequence = ${first}`.execute(store.db);
        const tampered = await all(store.db, UNAUTHENTICATED_CHAIN);
        assert.deepEqual(
          verifyAuditChain(tampered).map((b) => [b.sequence, b.reason]),
          [
            [first + 1, 'sequence_gap'],
            [first + 1, 'link_mismatch'],
          ],
        );
      } finally {
        await store.close();
        await drop();
      }
    });

    test('pruning by age removes what is older than the retention, and nothing twice', async () => {
      const { store, drop } = await open();
      try {
        await insertTenant(store.db, { id: 'kept', name: 'K', defaultRegion: 'US', phoneTypes: ['mobile'] });
        await flood(store.db, 30, T0, 'old');
        await appendAuditEvents(store.db, [entry('kept', 'tenant-1', T0), entry('kept', 'tenant-2', T0 + 1)]);
        const bounds = { olderThan: new Date(T0 + 10_500), maxEntries: 1000 };
        const outcome = await prune(store.db, UNAUTHENTICATED_CHAIN, bounds, new Date(T0 + 86_400_000));
        assert.equal(outcome.pruned, 11, 'entries 0…10 s old at the cut');
        assert.deepEqual(await prune(store.db, UNAUTHENTICATED_CHAIN, bounds, new Date(T0 + 86_400_000)), {
          pruned: 0,
        });
        const kept = await all(store.db, UNAUTHENTICATED_CHAIN);
        assert.equal(kept[0]?.sequence, 12);
        assert.deepEqual(verifyAuditChain(kept), []);
        // Tenants' chains are never touched.
        assert.equal((await all(store.db, 'kept')).length, 2);
        // Under a steady flood the chain stays within its bound, pruning after pruning.
        for (let round = 0; round < 5; round++) {
          await flood(store.db, 40, T0 + 100_000 * (round + 1), `r${round}-`);
          await prune(
            store.db,
            UNAUTHENTICATED_CHAIN,
            { olderThan: new Date(T0), maxEntries: 25 },
            new Date(T0 + 100_000 * (round + 1)),
          );
          const rows = await all(store.db, UNAUTHENTICATED_CHAIN);
          assert.ok(rows.length <= 26, `round ${round}: ${rows.length} entries kept`);
          assert.deepEqual(verifyAuditChain(rows), [], `round ${round} verifies`);
        }
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
