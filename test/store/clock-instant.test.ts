import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { insertCall } from '../../src/store/calls/calls.ts';
import { claimAbandonedCalls, claimDueCalls, extendLeases } from '../../src/store/calls/claim.ts';
import { countWaitingCalls } from '../../src/store/calls/queue-depth.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { waitingCall } from '../support/waiting-call.ts';

// Leases and due times are decided against the instant the dialer's Clock gives, never the
// database's own now(): a test (or the simulator) moves time by passing another instant, and
// the pg driver's Date encoding must compare the same as PGlite's.

after(() => stopTestPostgres());

const T0 = new Date('2030-01-01T09:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

for (const [kind, open] of STORE_KINDS) {
  describe(`claims on the clock's instant (${kind})`, () => {
    test('a call is due, leased and taken over at the instants passed, years from the real now', async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        await insertCall(db, waitingCall('later', { nextAttemptAt: at(60) }));
        assert.deepEqual(await claimDueCalls(db, 'n1', 10, 30, at(59)), [], 'not due one second early');
        assert.deepEqual(await countWaitingCalls(db, at(59)), { queued: 1, scheduled: 0, due: 0 });
        assert.deepEqual(await countWaitingCalls(db, at(60)), { queued: 1, scheduled: 0, due: 1 });
        const [claimed] = await claimDueCalls(db, 'n1', 10, 30, at(60));
        assert.equal(claimed?.id, 'later');
        assert.equal(
          claimed?.leased_until?.getTime(),
          at(90).getTime(),
          'leased 30 s from the instant passed',
        );
        await db.updateTable('calls').set({ status: 'dialing_user' }).where('id', '=', 'later').execute();
        assert.deepEqual(await claimAbandonedCalls(db, 'n2', 10, 30, at(89)), [], 'the lease still holds');
        await extendLeases(db, 'n1', ['later'], 30, at(61));
        const fresh = await db
          .selectFrom('calls')
          .select('leased_until')
          .where('id', '=', 'later')
          .executeTakeFirst();
        assert.equal(
          fresh?.leased_until?.getTime(),
          at(90).getTime(),
          'more than half the lease left: not rewritten',
        );
        if (kind === 'postgres') {
          // A row another transaction holds (a call step being written) is skipped, not waited for.
          await db.transaction().execute(async (tx) => {
            await tx.selectFrom('calls').select('id').where('id', '=', 'later').forUpdate().execute();
            let timer: NodeJS.Timeout | undefined;
            const skipped = await Promise.race([
              extendLeases(db, 'n1', ['later'], 30, at(89)).then(() => 'returned'),
              new Promise((resolve) => {
                timer = setTimeout(resolve, 5_000, 'blocked');
              }),
            ]);
            clearTimeout(timer);
            assert.equal(skipped, 'returned', 'a locked row does not hold the renewal up');
          });
        }
        await extendLeases(db, 'n1', ['later'], 30, at(89));
        assert.deepEqual(
          await claimAbandonedCalls(db, 'n2', 10, 30, at(118)),
          [],
          'extended from the instant passed',
        );
        const [taken] = await claimAbandonedCalls(db, 'n2', 10, 30, at(120));
        assert.equal(taken?.lease_owner, 'n2', 'taken over once the extended lease ran out');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
