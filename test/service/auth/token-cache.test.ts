import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import type { Clock } from '../../../src/domain/clock.ts';
import { AuthError } from '../../../src/domain/pconn-error.ts';
import type { Principal } from '../../../src/domain/request-context.ts';
import { createClient, revokeTenantClient } from '../../../src/service/auth/clients.ts';
import { SigningKeyRing } from '../../../src/service/auth/signing-keys.ts';
import { TokenService } from '../../../src/service/auth/token-service.ts';
import { VerifiedTokens } from '../../../src/service/auth/verified-tokens.ts';
import { createTenant } from '../../../src/service/tenancy/tenants.ts';
import type { Db } from '../../../src/store/database.ts';
import { stopTestPostgres } from '../../support/postgres-server.ts';
import { STORE_KINDS } from '../../support/store-kinds.ts';

after(stopTestPostgres);

/** A clock that moves only when the test says: the recheck interval is never crossed by accident. */
class ManualClock implements Clock {
  #ms = Date.now();
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

const RECHECK_MS = 1000;
const OPTIONS = { issuer: 'http://pconn.test', audience: 'pconn', tokenTtlSeconds: 600 };

/** A Db that counts the statements sent through it (what a cached verification must not send). */
function counted(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), statements: () => n };
}

/** One node's token service (its own caches and key ring) on the shared store. */
async function node(db: Db, clock: Clock): Promise<TokenService> {
  const keys = new SigningKeyRing(db, { rotationSeconds: 3600, tokenTtlSeconds: 600 }, clock);
  await keys.refresh();
  return new TokenService(db, keys, { ...OPTIONS, revocationRecheckMs: RECHECK_MS }, clock);
}

/** A client of tenant acme allowed to write calls (the scope these tokens carry). */
function writerClient(db: Db, name: string) {
  return createClient(db, { tenantId: 'acme', name, scopes: ['calls:write'] }, new Set(['calls:write']));
}

async function refusal(verifying: Promise<Principal>): Promise<string> {
  try {
    await verifying;
  } catch (error) {
    assert.ok(error instanceof AuthError, `an AuthError, got ${String(error)}`);
    return error.code;
  }
  return 'accepted';
}

for (const [kind, open] of STORE_KINDS) {
  describe(`verified token cache (${kind})`, () => {
    test('a client revoked on one node has its cached token refused on a second node within the recheck interval', async () => {
      const { store, drop } = await open();
      try {
        const clock = new ManualClock();
        await createTenant(store.db, { name: 'Acme', id: 'acme' });
        const client = await writerClient(store.db, 'writer');
        const first = await node(store.db, clock);
        const seen = counted(store.db);
        const second = await node(seen.db, clock);
        const { access_token: token } = await first.issue(client.clientId, client.clientSecret, undefined);
        for (const tokens of [first, second])
          assert.equal((await tokens.verify(token)).clientId, client.clientId, 'the token verifies');

        // Cached on the second node: many requests within the interval send no statement at all.
        const before = seen.statements();
        for (let i = 0; i < 100; i++) await second.verify(token);
        assert.equal(seen.statements() - before, 0, 'a cached token costs no store statement');

        await revokeTenantClient(store.db, 'acme', client.clientId, false, clock.now());
        first.revocationsChanged();
        assert.equal(await refusal(first.verify(token)), 'invalid_token', 'refused at once where revoked');

        // The second node learns of it at its next generation read, at most RECHECK_MS later;
        // before this change it trusted its 5 s client cache and accepted the token for 5 s.
        clock.advance(RECHECK_MS + 1);
        const refusals = await Promise.all(Array.from({ length: 20 }, () => refusal(second.verify(token))));
        assert.deepEqual(new Set(refusals), new Set(['invalid_token']), 'refused on the second node');
      } finally {
        await store.close();
        await drop();
      }
    });

    test('verifiedNow answers only what verify would answer at once: never a revoked, stale or expired token', async () => {
      const { store, drop } = await open();
      try {
        const clock = new ManualClock();
        await createTenant(store.db, { name: 'Acme', id: 'acme' });
        const client = await writerClient(store.db, 'writer');
        const first = await node(store.db, clock);
        const second = await node(store.db, clock);
        const { access_token: token } = await first.issue(client.clientId, client.clientSecret, undefined);
        assert.equal(first.verifiedNow(token), undefined, 'nothing before the first verification');
        for (const tokens of [first, second]) await tokens.verify(token);
        assert.equal(
          second.verifiedNow(token)?.clientId,
          client.clientId,
          'a verified token answers at once',
        );

        await revokeTenantClient(store.db, 'acme', client.clientId, false, clock.now());
        first.revocationsChanged();
        assert.equal(first.verifiedNow(token), undefined, 'not once this node revoked a client');
        assert.equal(await refusal(first.verify(token)), 'invalid_token', 'and verify refuses it');
        assert.equal(first.verifiedNow(token), undefined, 'nor after that');

        clock.advance(RECHECK_MS + 1);
        assert.equal(second.verifiedNow(token), undefined, 'not once the generation is due a reread');
        assert.equal(await refusal(second.verify(token)), 'invalid_token', 'the reread voids it');
        assert.equal(second.verifiedNow(token), undefined, 'and it stays void');

        const other = await writerClient(store.db, 'other');
        const { access_token: fresh } = await second.issue(other.clientId, other.clientSecret, undefined);
        await second.verify(fresh);
        assert.ok(second.verifiedNow(fresh), 'a live token answers');
        clock.advance(OPTIONS.tokenTtlSeconds * 1000 + 1);
        // verify rereads the generation and refuses the token; the entry, fresh generation or
        // not, is past its exp.
        assert.equal(await refusal(second.verify(fresh)), 'invalid_token', 'expired');
        assert.equal(second.verifiedNow(fresh), undefined, 'not past its exp');
      } finally {
        await store.close();
        await drop();
      }
    });

    test('concurrent requests past the interval share one generation read', async () => {
      const { store, drop } = await open();
      try {
        const clock = new ManualClock();
        await createTenant(store.db, { name: 'Acme', id: 'acme' });
        const client = await writerClient(store.db, 'writer');
        const seen = counted(store.db);
        const tokens = await node(seen.db, clock);
        const { access_token: token } = await tokens.issue(client.clientId, client.clientSecret, undefined);
        await tokens.verify(token);
        clock.advance(RECHECK_MS + 1);
        const before = seen.statements();
        await Promise.all(Array.from({ length: 50 }, () => tokens.verify(token)));
        assert.equal(seen.statements() - before, 1, 'one read of the revocation generation for 50 requests');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}

describe('VerifiedTokens', () => {
  const principal: Principal = { tenantId: 't', clientId: 'c', scopes: new Set(), issuer: 'pconn' };
  const entry = (expiresAtMs: number, generation = '1') => ({ principal, kid: 'k', expiresAtMs, generation });

  test('is bounded: the oldest entry makes room', () => {
    const cache = new VerifiedTokens(2);
    cache.set('a', entry(1000));
    cache.set('b', entry(1000));
    cache.set('c', entry(1000));
    assert.equal(cache.size, 2, 'never more than the bound');
    assert.equal(cache.get('a', 0, '1'), undefined, 'the oldest was evicted');
    assert.ok(cache.get('c', 0, '1'), 'the newest is kept');
  });

  test('never answers past exp or under another revocation generation', () => {
    const cache = new VerifiedTokens(10);
    cache.set('a', entry(1000));
    cache.set('b', entry(1000));
    assert.equal(cache.get('a', 1000, '1'), undefined, 'expired at exp');
    assert.equal(cache.get('b', 0, '2'), undefined, 'a new generation voids the entry');
    assert.equal(cache.size, 0, 'void entries are dropped');
  });

  test('keys tokens by their SHA-256, never by the token itself', () => {
    const key = VerifiedTokens.keyOf('header.payload.signature');
    assert.ok(!key.includes('payload'), 'the key does not contain the token');
    assert.equal(key.length, 43, 'a base64url SHA-256');
  });
});
