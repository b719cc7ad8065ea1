import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildChallenge,
  parseDigestChallenges,
} from '../../../../src/telephony/sip/auth/digest-challenge.ts';
import {
  digestCredentials,
  parseDigestCredentials,
} from '../../../../src/telephony/sip/auth/digest-credentials.ts';
import { DigestNonces } from '../../../../src/telephony/sip/auth/digest-nonce.ts';
import { MemoryNonceLedger } from '../../../../src/telephony/sip/auth/nonce-ledger.ts';
import { verifyDigest } from '../../../../src/telephony/sip/auth/verify-digest.ts';

// Nonces bound to the address their challenge went to, with a short default lifetime, and the
// in-memory nonce-count ledger (issue 14, finding 1).

describe('digest nonces bound to an address', () => {
  let now = 1_700_000_000_000;
  const nonces = new DigestNonces({ secret: 'registrar secret, 32 bytes long!', now: () => now });

  test('valid from its address, moved from another, invalid when forged; 60 s by default', () => {
    const nonce = nonces.issue('192.0.2.5:5062');
    assert.equal(nonces.check(nonce, '192.0.2.5:5062'), 'valid');
    assert.equal(nonces.check(nonce, '192.0.2.5:5063'), 'moved');
    assert.equal(nonces.check(nonce), 'moved', 'unbound checks do not accept a bound nonce');
    const forged = `${nonce.slice(0, 20)}${nonce[20] === 'A' ? 'B' : 'A'}${nonce.slice(21)}`;
    assert.equal(nonces.check(forged, '192.0.2.5:5062'), 'invalid');
    assert.equal(nonces.expiresAt(nonce), now + 60_000);
    now += 60_001;
    assert.equal(nonces.check(nonce, '192.0.2.5:5062'), 'stale');
  });

  test('verifyDigest: a right answer from another address is stale; a wrong one is no guess', () => {
    const [challenge] = parseDigestChallenges(
      buildChallenge({ realm: 'r', nonce: nonces.issue('192.0.2.5:5062'), algorithm: 'MD5' }),
    );
    assert.ok(challenge, 'a challenge');
    const verify = (password: string, from: string) => {
      const answer = digestCredentials(challenge, {
        username: 'u',
        password,
        method: 'REGISTER',
        uri: 'sip:r',
      });
      const credentials = answer && parseDigestCredentials(answer.value);
      assert.ok(credentials, 'credentials');
      return verifyDigest({
        credentials,
        method: 'REGISTER',
        realm: 'r',
        nonces,
        nonceBinding: from,
        password: 'right',
      });
    };
    assert.deepEqual(verify('right', '192.0.2.5:5062'), { ok: true, username: 'u' });
    assert.deepEqual(verify('right', '198.51.100.7:5060'), {
      ok: false,
      reason: 'nonce issued to another address',
      stale: true,
    });
    assert.deepEqual(verify('wrong', '198.51.100.7:5060'), {
      ok: false,
      reason: 'nonce issued to another address',
      stale: false,
    });
    assert.equal(verify('wrong', '192.0.2.5:5062').ok, false);
  });
});

describe('MemoryNonceLedger', () => {
  test('counts go up per nonce; an expired record no longer blocks', async () => {
    let now = 0;
    const ledger = new MemoryNonceLedger(() => now, 2);
    assert.equal(await ledger.use('a', 1, 100), true);
    assert.equal(await ledger.use('a', 1, 100), false);
    assert.equal(await ledger.use('a', 3, 100), true);
    assert.equal(await ledger.use('a', 2, 100), false);
    assert.equal(await ledger.use('b', 1, 50), true);
    now = 60;
    assert.equal(await ledger.use('c', 1, 200), true, 'over the limit: expired b goes');
    assert.equal(await ledger.use('a', 3, 100), false, 'a is kept: still live');
    now = 101;
    assert.equal(await ledger.use('a', 3, 300), true, 'after its expiry a nonce is refused as stale anyway');
  });
});
