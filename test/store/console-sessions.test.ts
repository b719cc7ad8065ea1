import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { findConsolePassword, upsertConsolePassword } from '../../src/store/console-passwords.ts';
import {
  endConsoleSession,
  endUserConsoleSessions,
  findConsoleSessionBySecret,
  findLiveConsoleSession,
  insertConsoleSession,
  pruneConsoleSessions,
} from '../../src/store/console-sessions.ts';
import { ResourceRepository } from '../../src/store/resources.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

// Console passwords and sessions (migration 0014): what token verification and sign-out rely on.

after(() => stopTestPostgres());

const T0 = new Date('2030-01-01T09:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const users = new ResourceRepository<{ name: string; status: string }>('users');

for (const [kind, open] of STORE_KINDS) {
  describe(`console sessions (${kind})`, () => {
    test('a session is live until it ends, expires, or its user is disabled', async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        await insertTenant(db, { id: 'default', name: 'D', defaultRegion: 'US', phoneTypes: ['mobile'] });
        await users.insert(db, 'default', 'u1', { name: 'U1', status: 'active' });
        const session = (id: string, expiresIn = 3600) =>
          insertConsoleSession(db, {
            id,
            secretHash: `hash-${id}`,
            tenantId: 'default',
            userId: 'u1',
            role: 'agent',
            createdAt: at(0),
            expiresAt: at(expiresIn),
          });
        await session('s1');
        await session('s2', 10);
        await session('s3');
        assert.deepEqual(await findLiveConsoleSession(db, 's1', at(1)), {
          tenantId: 'default',
          userId: 'u1',
        });
        assert.equal((await findConsoleSessionBySecret(db, 'hash-s1'))?.id, 's1');
        assert.equal(await findLiveConsoleSession(db, 's2', at(11)), undefined, 'expired');
        assert.equal(await endConsoleSession(db, 's1', at(2)), true);
        assert.equal(await endConsoleSession(db, 's1', at(3)), false, 'ending twice changes nothing');
        assert.equal(await findLiveConsoleSession(db, 's1', at(4)), undefined, 'signed out');
        assert.ok(await findLiveConsoleSession(db, 's3', at(4)), 's3 still live');
        await users.update(db, 'default', 'u1', { name: 'U1', status: 'disabled' }, at(5));
        assert.equal(await findLiveConsoleSession(db, 's3', at(6)), undefined, 'its user is disabled');
        assert.equal(
          await endUserConsoleSessions(db, 'default', 'u1', at(7)),
          2,
          's2 (expired, never ended) and s3',
        );
        assert.equal(await pruneConsoleSessions(db, at(3600 * 2)), 3);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('one password hash per user, replaced in place', async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        assert.equal(await findConsolePassword(db, 'default', 'u2'), undefined);
        await upsertConsolePassword(db, { tenantId: 'default', userId: 'u2', hash: 'h1' }, at(0));
        await upsertConsolePassword(db, { tenantId: 'default', userId: 'u2', hash: 'h2' }, at(1));
        assert.equal(await findConsolePassword(db, 'default', 'u2'), 'h2');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
