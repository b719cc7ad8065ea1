import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Clock } from '../../../src/domain/clock.ts';
import { createTenant, TenantSettingsCache } from '../../../src/service/tenancy/tenants.ts';
import { updatePhoneTypes } from '../../../src/store/tenants.ts';
import { stopTestPostgres } from '../../support/postgres-server.ts';
import { STORE_KINDS } from '../../support/store-kinds.ts';

after(stopTestPostgres);

/** A clock that moves only when the test says. */
class ManualClock implements Clock {
  #ms = Date.parse('2026-06-01T12:00:00Z');
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

for (const [kind, open] of STORE_KINDS) {
  describe(`tenant settings cache (${kind})`, () => {
    // Authentication and every request's context answer from `cached` without a promise: it must
    // never hand out settings `get` would have reread.
    test('cached answers only fresh settings: not before a read, not past the TTL, not after a change here', async () => {
      const { store, drop } = await open();
      try {
        const clock = new ManualClock();
        await createTenant(store.db, { name: 'Acme', id: 'acme' });
        const tenants = new TenantSettingsCache(store.db, clock);
        assert.equal(tenants.cached('acme'), undefined, 'nothing before the first read');
        assert.deepEqual((await tenants.get('acme'))?.phoneTypes, ['mobile', 'home', 'work', 'other']);
        assert.deepEqual(tenants.cached('acme')?.phoneTypes, ['mobile', 'home', 'work', 'other'], 'fresh');

        await tenants.setPhoneTypes('acme', ['mobile', 'pager']);
        assert.equal(tenants.cached('acme'), undefined, 'a change made here voids the entry at once');
        assert.deepEqual((await tenants.get('acme'))?.phoneTypes, ['mobile', 'pager'], 'reread');

        // Another node's change is seen once the entry is older than the TTL (5 s).
        await updatePhoneTypes(store.db, 'acme', ['work']);
        clock.advance(4_999);
        assert.deepEqual(tenants.cached('acme')?.phoneTypes, ['mobile', 'pager'], 'within the TTL');
        clock.advance(1);
        assert.equal(tenants.cached('acme'), undefined, 'not past the TTL');
        assert.deepEqual((await tenants.get('acme'))?.phoneTypes, ['work'], 'the other node’s change');
        assert.equal(tenants.cached('nobody'), undefined, 'an unknown tenant is never cached');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
