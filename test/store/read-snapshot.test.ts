// Two reads of one answer (a call, then its attempts) must see one committed state. On the
// embedded store off the main thread a dialer's commit landed between them: GET /v1/calls/{id}
// showed an ended attempt on a call still `dialing_contact` (test/api/undialable-calls.test.ts).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Executor } from '../../src/store/database.ts';
import { inReadSnapshot } from '../../src/store/read-snapshot.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

for (const [kind, open] of STORE_KINDS) {
  describe(`reads in one snapshot (${kind})`, () => {
    test('a commit between the two reads is seen by neither or both', async () => {
      const { store, drop } = await open();
      try {
        await sql`create table snap_call (status text)`.execute(store.db);
        await sql`create table snap_attempt (ended boolean)`.execute(store.db);
        await sql`insert into snap_call values ('dialing_contact')`.execute(store.db);
        await sql`insert into snap_attempt values (false)`.execute(store.db);
        // The dialer's one transaction: the attempt ends and the call fails together.
        const settle = () =>
          store.db.transaction().execute(async (tx) => {
            await sql`update snap_attempt set ended = true`.execute(tx);
            await sql`update snap_call set status = 'failed'`.execute(tx);
          });
        const read = async (tx: Executor) => {
          const call = await sql<{ status: string }>`select status from snap_call`.execute(tx);
          // The commit lands here. The embedded store runs one session, so there the writer
          // waits for the snapshot to end: the race's bound keeps that from hanging the test.
          await Promise.race([settle(), delay(500)]);
          const attempt = await sql<{ ended: boolean }>`select ended from snap_attempt`.execute(tx);
          return { status: call.rows[0]?.status, ended: attempt.rows[0]?.ended };
        };
        const seen = await inReadSnapshot(store.db, read);
        assert.ok(
          (seen.status === 'failed') === seen.ended,
          `one state, not half of each: ${JSON.stringify(seen)}`,
        );
        // Once the snapshot ends the settle has committed (or commits now) and both are seen.
        await settle();
        const later = await inReadSnapshot(store.db, async (tx) => ({
          status: (await sql<{ status: string }>`select status from snap_call`.execute(tx)).rows[0]?.status,
        }));
        assert.equal(later.status, 'failed', 'the commit is visible to the next snapshot');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
