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
import {
  computeHa1,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
} from '../../../../src/telephony/sip/auth/digest-response.ts';
import { type VerifyDigestOptions, verifyDigest } from '../../../../src/telephony/sip/auth/verify-digest.ts';

const REALM = 'pconn.example.com';
const URI = 'sip:pconn.example.com';

function setup(
  options: { algorithm?: DigestAlgorithm; qop?: 'auth' | 'none'; password?: string; ttl?: number } = {},
) {
  let now = 1_700_000_000_000;
  const nonces = new DigestNonces({
    secret: 'registrar secret, 32 bytes long!',
    ttlSeconds: options.ttl ?? 300,
    now: () => now,
  });
  const [challenge] = parseDigestChallenges(
    buildChallenge({
      realm: REALM,
      nonce: nonces.issue(),
      algorithm: options.algorithm ?? 'SHA-256',
      qop: options.qop ?? 'auth',
      opaque: 'op',
    }),
  );
  assert.ok(challenge);
  const answer = digestCredentials(challenge, {
    username: 'agent-7',
    password: options.password ?? 'correct horse',
    method: 'REGISTER',
    uri: URI,
  });
  assert.ok(answer);
  const credentials = parseDigestCredentials(answer.value);
  assert.ok(credentials);
  const verify = (extra: Partial<VerifyDigestOptions> = {}) =>
    verifyDigest({
      credentials,
      method: 'REGISTER',
      realm: REALM,
      nonces,
      password: 'correct horse',
      uri: URI,
      ...extra,
    });
  return { verify, credentials, advance: (ms: number) => (now += ms) };
}

describe('verifyDigest (registrar side)', () => {
  for (const algorithm of DIGEST_ALGORITHMS) {
    for (const qop of ['auth', 'none'] as const) {
      test(`a client answer verifies: ${algorithm}, qop ${qop}`, () => {
        assert.deepEqual(setup({ algorithm, qop }).verify(), { ok: true, username: 'agent-7' });
      });
    }
  }

  test('a wrong password fails and is not stale', () => {
    const result = setup({ password: 'battery staple' }).verify();
    assert.deepEqual(result, { ok: false, reason: 'wrong response', stale: false });
  });

  test('an expired nonce with a right answer is stale (RFC 7616 §3.3); with a wrong one it is not', () => {
    const right = setup({ ttl: 60 });
    right.advance(61_000);
    assert.deepEqual(right.verify(), { ok: false, reason: 'nonce expired', stale: true });
    const wrong = setup({ ttl: 60, password: 'nope' });
    wrong.advance(61_000);
    assert.deepEqual(wrong.verify(), { ok: false, reason: 'wrong response', stale: false });
  });

  test('precomputed HA1 works like the password', () => {
    const { verify } = setup({ algorithm: 'MD5-sess' });
    assert.equal(
      verify({ password: undefined, ha1: { MD5: computeHa1('MD5', 'agent-7', REALM, 'correct horse') } }).ok,
      true,
    );
    assert.equal(verify({ password: undefined, ha1: { 'SHA-256': 'x' } }).ok, false);
  });

  test('nonces we did not issue, tampered or from the future are refused', () => {
    const { verify, credentials } = setup();
    const other = new DigestNonces({ secret: 'another secret entirely!' });
    const foreign = { ...credentials, nonce: other.issue() };
    assert.deepEqual(verify({ credentials: foreign }), {
      ok: false,
      reason: 'nonce not issued by us',
      stale: false,
    });
    const flipped =
      credentials.nonce.slice(0, 10) +
      (credentials.nonce[10] === 'A' ? 'B' : 'A') +
      credentials.nonce.slice(11);
    assert.equal(verify({ credentials: { ...credentials, nonce: flipped } }).ok, false);
    assert.equal(verify({ credentials: { ...credentials, nonce: 'short' } }).ok, false);
    let now = 0;
    const nonces = new DigestNonces({ secret: 'registrar secret, 32 bytes long!', now: () => now });
    now = 10_000_000;
    const future = nonces.issue();
    now = 0;
    assert.equal(nonces.check(future), 'invalid');
  });

  test('realm, uri, algorithm and qop policies', () => {
    const { verify } = setup();
    assert.equal(verify({ realm: 'other.example.com' }).ok, false);
    assert.equal(verify({ uri: 'sip:elsewhere.example.com' }).ok, false);
    assert.equal(verify({ algorithms: ['MD5'] }).ok, false);
    assert.equal(verify({ method: 'INVITE' }).ok, false);
    const rfc2069 = setup({ qop: 'none' });
    assert.equal(rfc2069.verify({ requireQop: true }).ok, false);
  });

  test('auth-int covers the body', () => {
    const nonces = new DigestNonces({ secret: 'registrar secret, 32 bytes long!' });
    const [challenge] = parseDigestChallenges(
      `Digest realm="${REALM}", nonce="${nonces.issue()}", qop="auth-int"`,
    );
    const body = Buffer.from('v=0\r\n');
    const answer = digestCredentials(challenge!, {
      username: 'u',
      password: 'p',
      method: 'INVITE',
      uri: URI,
      body,
    });
    assert.equal(answer?.qop, 'auth-int');
    const credentials = parseDigestCredentials(answer!.value)!;
    const base = { credentials, method: 'INVITE', realm: REALM, nonces, password: 'p' };
    assert.equal(verifyDigest({ ...base, body }).ok, true);
    assert.equal(verifyDigest({ ...base, body: Buffer.from('v=1\r\n') }).ok, false);
  });
});
