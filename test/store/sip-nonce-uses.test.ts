import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { pruneSipNonces, useSipNonce } from '../../src/store/sip-nonce-uses.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

// The registrar's nonce ledger over the store (migration 0009): what makes a captured REGISTER
// Authorization useless on every node sharing the database (issue 14, finding 1).

after(() => stopTestPostgres());

const T0 = new Date('2030-01-01T09:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

for (const [kind, open] of STORE_KINDS) {
  describe(`SIP nonce ledger (${kind})`, () => {
    test('each count is accepted once and only above the last; expired records are pruned', async () => {
      const { store, drop } = await open();
      try {
        const { db } = store;
        const use = (nonce: string, nc: number, now = at(0)) =>
          useSipNonce(db, { nonce, nc, expiresAt: at(60) }, now);
        assert.equal(await use('n1', 1), true, 'first use');
        assert.equal(await use('n1', 1), false, 'the same count again: replay');
        assert.equal(await use('n1', 2), true, 'the next count');
        assert.equal(await use('n1', 1), false, 'a lower count');
        assert.equal(await use('n1', 9), true, 'counts may skip');
        assert.equal(await use('n2', 1), true, 'nonces are independent');
        // Two nodes racing with the same captured header: exactly one wins.
        const raced = await Promise.all([use('n3', 1), use('n3', 1), use('n3', 1)]);
        assert.equal(raced.filter(Boolean).length, 1, `one of the racing uses wins: ${raced}`);
        assert.equal(await use('n1', 9, at(61)), true, 'a record left past its expiry never blocks');
        await useSipNonce(db, { nonce: 'n4', nc: 1, expiresAt: at(200) }, at(0));
        assert.equal(await pruneSipNonces(db, at(100)), 3, 'n1, n2 and n3 expired; n4 lives');
        assert.equal(await use('n4', 1, at(100)), false, 'a live record survives the prune');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
