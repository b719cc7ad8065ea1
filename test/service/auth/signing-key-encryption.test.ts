import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { systemClock } from '../../../src/domain/clock.ts';
import { PconnError } from '../../../src/domain/pconn-error.ts';
import { KeyEncryption } from '../../../src/service/auth/key-encryption.ts';
import { SigningKeyRing } from '../../../src/service/auth/signing-keys.ts';
import type { Store } from '../../../src/store/open-store.ts';
import { stopTestPostgres } from '../../support/postgres-server.ts';
import { STORE_KINDS } from '../../support/store-kinds.ts';

const KEK_A = 'kek-a-0123456789abcdef0123456789abcdef';
const KEK_B = 'kek-b-0123456789abcdef0123456789abcdef';
const POLICY = { rotationSeconds: 3600, tokenTtlSeconds: 600 };

after(stopTestPostgres);

function ring(store: Store, kek?: string, previous: string[] = []): SigningKeyRing {
  return new SigningKeyRing(store.db, POLICY, systemClock, new KeyEncryption(kek, previous));
}

async function storedPrivate(store: Store): Promise<Array<{ kid: string; jwk: Record<string, unknown> }>> {
  const rows = await store.db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute();
  return rows.map((row) => ({ kid: row.kid, jwk: row.private_jwk }));
}

/** Signs with the ring's current key and verifies with its published key: the ring works end to end. */
async function assertSignsAndVerifies(keys: SigningKeyRing): Promise<void> {
  const key = await keys.signingKey();
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .sign(await importJWK(key.privateJwk, 'ES256'));
  const publicJwk = await keys.publicKey(key.kid);
  assert.ok(publicJwk, 'the signing key is published');
  await jwtVerify(token, await importJWK(publicJwk, 'ES256'));
}

for (const [kind, open] of STORE_KINDS) {
  describe(`signing keys under a key-encryption key (${kind})`, () => {
    test('a new key is stored sealed: no private member, only ciphertext', async () => {
      const { store, drop } = await open();
      try {
        const keys = ring(store, KEK_A);
        await keys.refresh();
        const [row] = await storedPrivate(store);
        assert.ok(row, 'one key stored');
        assert.equal(row.jwk.d, undefined, 'the private scalar is not stored in clear');
        assert.equal(row.jwk.sealed, 'A256GCM');
        const opened = (await keys.signingKey()).privateJwk;
        assert.equal(typeof opened.d, 'string', 'the ring holds the opened key');
        assert.ok(
          !JSON.stringify(row.jwk).includes(String(opened.d)),
          'the scalar appears nowhere in the row',
        );
        await assertSignsAndVerifies(keys);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('setting a KEK seals keys stored before, and they keep signing', async () => {
      const { store, drop } = await open();
      try {
        const plain = ring(store);
        await plain.refresh();
        const before = await plain.signingKey();
        assert.equal(typeof (await storedPrivate(store))[0]?.jwk.d, 'string', 'without a KEK keys are plain');

        const sealed = ring(store, KEK_A);
        assert.equal(await sealed.sealStoredKeys(), 1, 'the plain key was re-sealed');
        assert.equal(await sealed.sealStoredKeys(), 0, 'sealing again is a no-op');
        await sealed.refresh();
        assert.equal((await sealed.signingKey()).kid, before.kid, 'the same key still signs');
        assert.deepEqual((await sealed.signingKey()).privateJwk, before.privateJwk);
        assert.equal((await storedPrivate(store))[0]?.jwk.d, undefined, 'now sealed at rest');
      } finally {
        await store.close();
        await drop();
      }
    });

    test('rotating the KEK: the previous one opens, keys are re-sealed, then the old one alone fails', async () => {
      const { store, drop } = await open();
      try {
        await ring(store, KEK_A).refresh();
        const kekBefore = (await storedPrivate(store))[0]?.jwk.kekId;

        const rotated = ring(store, KEK_B, [KEK_A]);
        assert.equal(await rotated.sealStoredKeys(), 1);
        await rotated.refresh();
        await assertSignsAndVerifies(rotated);
        assert.notEqual((await storedPrivate(store))[0]?.jwk.kekId, kekBefore, 'sealed under the new KEK');

        await assert.rejects(ring(store, KEK_A).sealStoredKeys(), (error: unknown) => {
          assert.ok(error instanceof PconnError, 'a domain error');
          assert.match(error.detail, /PCONN_KEY_ENCRYPTION_KEY/, 'names the setting');
          assert.ok(!error.detail.includes(KEK_A) && !error.detail.includes(KEK_B), 'never echoes a secret');
          return true;
        });
        await assert.rejects(ring(store).refresh(), /not configured/, 'no KEK cannot open sealed keys');
      } finally {
        await store.close();
        await drop();
      }
    });

    test("a sealed key copied onto another key's row fails its integrity check", async () => {
      const { store, drop } = await open();
      try {
        await ring(store, KEK_A).refresh();
        const [row] = await storedPrivate(store);
        assert.ok(row, 'one key stored');
        await store.db
          .insertInto('signing_keys')
          .values({
            kid: 'copied-kid',
            private_jwk: JSON.stringify(row.jwk),
            public_jwk: JSON.stringify({}),
            retires_at: new Date(Date.now() + 60_000),
            expires_at: new Date(Date.now() + 120_000),
          })
          .execute();
        await assert.rejects(ring(store, KEK_A).refresh(), /copied-kid failed its integrity check/);
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}

describe('key-encryption key settings', () => {
  test('a short key is refused without echoing it', () => {
    assert.throws(
      () => loadConfig({ PCONN_KEY_ENCRYPTION_KEY: 'short-secret' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /PCONN_KEY_ENCRYPTION_KEY must be at least 32/.test(error.message) &&
        !error.message.includes('short-secret'),
    );
  });

  test('the key can come from a file; the file and the variable together are refused', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pconn-kek-')), 'kek');
    writeFileSync(file, `${KEK_A}\n`);
    assert.equal(loadConfig({ PCONN_KEY_ENCRYPTION_KEY_FILE: file }).keyEncryption.current, KEK_A);
    assert.throws(
      () => loadConfig({ PCONN_KEY_ENCRYPTION_KEY_FILE: file, PCONN_KEY_ENCRYPTION_KEY: KEK_B }),
      /not both/,
    );
    assert.throws(() => loadConfig({ PCONN_KEY_ENCRYPTION_KEY_FILE: `${file}-missing` }), /ENOENT/);
  });

  test('previous keys need a current one', () => {
    assert.throws(
      () => loadConfig({ PCONN_KEY_ENCRYPTION_KEY_PREVIOUS: KEK_A }),
      /needs PCONN_KEY_ENCRYPTION_KEY/,
    );
    assert.deepEqual(
      loadConfig({ PCONN_KEY_ENCRYPTION_KEY: KEK_B, PCONN_KEY_ENCRYPTION_KEY_PREVIOUS: ` ${KEK_A} ,` })
        .keyEncryption,
      { current: KEK_B, previous: [KEK_A] },
    );
  });
});

describe('a node started with a key-encryption key', () => {
  test('issues tokens the API accepts while its keys stay sealed at rest', async () => {
    const { startTestServer } = await import('../../support/test-server.ts');
    const server = await startTestServer({ env: { PCONN_KEY_ENCRYPTION_KEY: KEK_A } });
    try {
      const response = await server.request('GET', '/v1/campaigns');
      assert.equal(response.status, 200, 'a token signed with the sealed key is accepted');
      const rows = await storedPrivate(server.store);
      assert.ok(rows.length > 0, 'a key was created');
      assert.ok(
        rows.every((row) => row.jwk.sealed === 'A256GCM' && row.jwk.d === undefined),
        'every stored key is sealed',
      );
    } finally {
      await server.close();
    }
  });
});
