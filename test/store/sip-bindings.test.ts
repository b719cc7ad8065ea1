import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { claimStartingSessions } from '../../src/store/agent-sessions/claim-sessions.ts';
import { insertCall } from '../../src/store/calls/calls.ts';
import { claimDueCalls } from '../../src/store/calls/claim.ts';
import type { Db } from '../../src/store/database.ts';
import { beatNode, pruneRegistrations, retireNode } from '../../src/store/registrations/nodes.ts';
import { handCallTo, registrationHolder } from '../../src/store/registrations/registration-holder.ts';
import { type BindingWrite, saveBindings } from '../../src/store/registrations/save-bindings.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { waitingCall } from '../support/waiting-call.ts';

// Registrations shared by nodes (issue 15 point 4, migration 0013): which node holds a phone's
// flow, how long a node counts as alive, and the claims that leave a call or a session to it.

after(() => stopTestPostgres());

const T0 = new Date('2030-01-01T09:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** `nodeId` mirrors a REGISTER of tenant a's `alice` binding `contact` for 300 s at `seconds`. */
function registered(nodeId: string, contact: string, seconds: number, extra: Partial<BindingWrite> = {}) {
  return {
    tenantId: 'a',
    username: 'alice',
    nodeId,
    transport: 'udp',
    source: '192.0.2.7:5062',
    saved: [{ contact, q: 1, expiresAt: at(seconds + 300), updatedAt: at(seconds) }],
    removed: [],
    removedAll: false,
    ...extra,
  };
}

async function bindingCount(db: Db): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from sip_bindings`.execute(db);
  return Number(result.rows[0]?.n);
}

for (const [kind, open] of STORE_KINDS) {
  describe(`shared SIP registrations (${kind})`, () => {
    test('the alive node holding the binding rings the phone; a dead node or an expired binding does not', async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        await beatNode(db, 'A', at(30), at(0));
        await beatNode(db, 'B', at(30), at(0));
        const holder = (asking: string, seconds: number) =>
          registrationHolder(db, 'a', 'alice', asking, at(seconds));
        assert.equal(
          await holder('B', 1),
          undefined,
          'nobody registered: the asking node dials (480 as before)',
        );
        await saveBindings(db, registered('A', 'sip:alice@10.0.0.1:5060', 0));
        assert.equal(await holder('B', 1), 'A', 'bound through A: B hands it to A');
        assert.equal(await holder('A', 1), undefined, 'A holds it: A dials');
        assert.equal(await registrationHolder(db, 'a', 'bob', 'B', at(1)), undefined, 'other users are not');
        assert.equal(
          await holder('B', 31),
          undefined,
          "A's heartbeat lapsed (killed): its binding is not used",
        );
        await beatNode(db, 'A', at(400), at(31));
        assert.equal(await holder('B', 32), 'A', 'A beats again');
        assert.equal(await holder('B', 301), undefined, 'the binding expired');
        // The phone re-registers through B (A's flow is gone): the same contact moves to B.
        await saveBindings(db, registered('B', 'sip:alice@10.0.0.1:5060', 2));
        assert.equal(await holder('A', 3), 'B', 'the newest REGISTER came through B');
        assert.equal(await holder('B', 3), undefined);
        // A second phone of the same user on A: each node dials through its own flow.
        await saveBindings(db, registered('A', 'sip:alice@10.0.0.2:5060', 3));
        assert.equal(await holder('A', 4), undefined, 'A holds one of the bindings itself');
        assert.equal(await holder('B', 4), undefined, 'so does B');
        assert.equal(await holder('C', 4), 'A', 'a third node hands it to the most recently refreshed');
        await saveBindings(db, registered('A', 'x', 5, { saved: [], removed: ['sip:alice@10.0.0.2:5060'] }));
        assert.equal(await holder('C', 5), 'B', 'an unregistered contact is gone');
        await saveBindings(db, registered('A', 'x', 6, { saved: [], removedAll: true }));
        assert.equal(
          await holder('C', 6),
          undefined,
          'Contact: * removes every binding, whichever node held it',
        );
      } finally {
        await store.close();
        await drop();
      }
    });

    test('a retired node leaves no binding; pruning drops expired ones and long-dead nodes', async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        await beatNode(db, 'A', at(30), at(0));
        await beatNode(db, 'B', at(30), at(0));
        await saveBindings(db, registered('A', 'sip:alice@10.0.0.1:5060', 0));
        await saveBindings(db, { ...registered('B', 'sip:bob@10.0.0.3:5060', 0), username: 'bob' });
        await retireNode(db, 'B');
        assert.equal(await bindingCount(db), 1, "B shut down: its phone's binding went with it");
        // Mirrored by node D just before its first heartbeat: kept until it expires.
        await saveBindings(db, { ...registered('D', 'sip:dave@10.0.0.5:5060', 0), username: 'dave' });
        assert.equal(
          await pruneRegistrations(db, at(100)),
          0,
          "A died 70 s ago, D's row is not written yet: kept",
        );
        assert.equal(await bindingCount(db), 2);
        assert.equal(
          await pruneRegistrations(db, at(30 + 3601)),
          2,
          "A dead for an hour, D's binding expired",
        );
        await beatNode(db, 'C', at(10_000), at(0));
        await saveBindings(db, { ...registered('C', 'sip:carol@10.0.0.4:5060', 0), username: 'carol' });
        assert.equal(await pruneRegistrations(db, at(301)), 1, 'an expired binding is pruned');
        assert.equal(await bindingCount(db), 0);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('a call handed to the holding node is claimed only by it while it is alive', async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        await insertCall(db, waitingCall('handed', { nextAttemptAt: at(-1) }));
        await beatNode(db, 'A', at(30), at(0));
        await beatNode(db, 'B', at(30), at(0));
        const claimed = await claimDueCalls(db, 'A', 10, 30, at(0));
        assert.deepEqual(
          claimed.map((call) => call.id),
          ['handed'],
        );
        assert.equal(
          await handCallTo(db, { tenantId: 'a', id: 'handed', owner: 'B' }, 'A', at(0)),
          false,
          'only the lease owner hands a call over',
        );
        assert.equal(await handCallTo(db, { tenantId: 'a', id: 'handed', owner: 'A' }, 'B', at(0)), true);
        assert.deepEqual(await claimDueCalls(db, 'A', 10, 30, at(1)), [], 'A leaves it to B');
        assert.deepEqual(await claimDueCalls(db, 'C', 10, 30, at(1)), [], 'so does any other node');
        const byB = await claimDueCalls(db, 'B', 10, 30, at(1));
        assert.deepEqual(
          byB.map((call) => call.id),
          ['handed'],
          'B claims it',
        );
        assert.equal(await handCallTo(db, { tenantId: 'a', id: 'handed', owner: 'B' }, 'B', at(2)), true);
        const afterDeath = await claimDueCalls(db, 'A', 10, 30, at(31));
        assert.deepEqual(
          afterDeath.map((call) => call.id),
          ['handed'],
          "B's heartbeat lapsed (killed): the call is not lost, A takes it",
        );
      } finally {
        await store.close();
        await drop();
      }
    });

    test("a session whose agent's phone is bound only through another node is left to that node", async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        const device = { type: 'registered', username: 'alice', password: 'a-long-sip-password' };
        await sql`insert into users (tenant_id, id, data) values
          ('a', 'agent-1', ${JSON.stringify({ status: 'active', device })}::jsonb)`.execute(db);
        await sql`insert into agent_sessions (tenant_id, id, user_id, status, started_at, updated_at)
          values ('a', 's1', 'agent-1', 'starting', ${at(0)}, ${at(0)})`.execute(db);
        await beatNode(db, 'A', at(30), at(0));
        await beatNode(db, 'B', at(30), at(0));
        await saveBindings(db, registered('A', 'sip:alice@10.0.0.1:5060', 0));
        assert.deepEqual(await claimStartingSessions(db, 'B', 10, 30, at(1)), [], 'B leaves it to A');
        const byA = await claimStartingSessions(db, 'A', 10, 30, at(1));
        assert.deepEqual(
          byA.map((session) => session.id),
          ['s1'],
          'A holds the phone and claims it',
        );
        await sql`update agent_sessions set lease_owner = null`.execute(db);
        const afterDeath = await claimStartingSessions(db, 'B', 10, 30, at(31));
        assert.deepEqual(
          afterDeath.map((session) => session.id),
          ['s1'],
          "A's heartbeat lapsed: B takes it (the leg then ends as an unregistered phone's)",
        );
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
