import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  buildChallenge,
  parseDigestChallenges,
  selectChallenge,
} from '../../../../src/telephony/sip/auth/digest-challenge.ts';
import {
  digestCredentials,
  NonceCounter,
  parseDigestCredentials,
} from '../../../../src/telephony/sip/auth/digest-credentials.ts';

// RFC 7616 §3.9.1: the challenge, the client's cnonce and the expected responses.
const RFC7616_CHALLENGE = (algorithm: string) =>
  [
    'Digest',
    '    realm="http-auth@example.org",',
    '    qop="auth, auth-int",',
    `    algorithm=${algorithm},`,
    '    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",',
    '    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  ].join(' ');
const RFC7616_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
const RFC7616_ANSWER = {
  'SHA-256': '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  MD5: '8ca523f5e9506fed4657c9700eebdbec',
};

describe('digest credentials (client side)', () => {
  for (const [algorithm, expected] of Object.entries(RFC7616_ANSWER)) {
    test(`RFC 7616 §3.9.1 test vector, ${algorithm}`, () => {
      const [challenge] = parseDigestChallenges(RFC7616_CHALLENGE(algorithm));
      assert.ok(challenge);
      assert.deepEqual(challenge.qop, ['auth', 'auth-int']);
      const answer = digestCredentials(challenge, {
        username: 'Mufasa',
        password: 'Circle of Life',
        method: 'GET',
        uri: '/dir/index.html',
        cnonce: RFC7616_CNONCE,
        nc: 1,
      });
      assert.equal(answer?.response, expected);
      assert.equal(answer?.qop, 'auth');
      const parsed = parseDigestCredentials(answer?.value ?? '');
      assert.deepEqual(
        parsed && [
          parsed.username,
          parsed.realm,
          parsed.uri,
          parsed.nc,
          parsed.qop,
          parsed.cnonce,
          parsed.opaque,
        ],
        [
          'Mufasa',
          'http-auth@example.org',
          '/dir/index.html',
          '00000001',
          'auth',
          RFC7616_CNONCE,
          challenge.opaque,
        ],
      );
      assert.equal(parsed?.algorithm, algorithm);
    });
  }

  test('RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    const [challenge] = parseDigestChallenges(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    const answer = digestCredentials(challenge!, {
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: '0a4f113b',
    });
    assert.equal(answer?.response, '6629fae49393a05397450978507c4ef1');
  });

  test('RFC 2069 form when the challenge has no qop: no cnonce, no nc', () => {
    const [challenge] = parseDigestChallenges('Digest realm="sip.example.com", nonce="abc"');
    const answer = digestCredentials(challenge!, {
      username: 'bob',
      password: 'zanzibar',
      method: 'REGISTER',
      uri: 'sip:sip.example.com',
    });
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const expected = md5(`${md5('bob:sip.example.com:zanzibar')}:abc:${md5('REGISTER:sip:sip.example.com')}`);
    assert.equal(answer?.response, expected);
    assert.equal(answer?.nc, undefined);
    assert.doesNotMatch(answer?.value ?? '', /cnonce|nc=|qop/);
  });

  test('unsupported algorithms or qop give no answer', () => {
    for (const value of [
      'Digest realm="r", nonce="n", algorithm=SHA-1',
      'Digest realm="r", nonce="n", qop="auth-conf"',
    ]) {
      const [challenge] = parseDigestChallenges(value);
      assert.equal(
        digestCredentials(challenge!, { username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x' }),
        undefined,
      );
    }
    const [plain] = parseDigestChallenges('Digest realm="r", nonce="n"');
    assert.equal(digestCredentials(plain!, { username: 'u', method: 'INVITE', uri: 'sip:x' }), undefined);
  });

  test('nonce counter counts per nonce', () => {
    const counter = new NonceCounter(2);
    assert.deepEqual(
      [counter.next('a'), counter.next('a'), counter.next('b'), counter.next('a')],
      [1, 2, 1, 3],
    );
    counter.next('c');
    assert.equal(counter.next('b'), 1, 'b was the oldest and was forgotten');
  });
});

describe('digest challenges', () => {
  test('several challenges per response, other schemes skipped, the topmost supported chosen', () => {
    const challenges = parseDigestChallenges([
      'Digest realm="atlanta.com", nonce="n1", algorithm=SHA-1, qop="auth"',
      'Basic realm="x", Digest realm="atlanta.com", nonce="n2", algorithm=SHA-256, qop="auth", stale=TRUE',
      'Digest realm="atlanta.com", nonce="n3", algorithm=MD5, qop="auth"',
      'Digest nonce="missing-realm"',
    ]);
    assert.deepEqual(
      challenges.map((c) => [c.nonce, c.algorithm, c.stale]),
      [
        ['n1', 'SHA-1', false],
        ['n2', 'SHA-256', true],
        ['n3', 'MD5', false],
      ],
    );
    assert.equal(selectChallenge(challenges)?.nonce, 'n2');
    assert.equal(selectChallenge(challenges, 'biloxi.com'), undefined);
  });

  test('buildChallenge writes what parseDigestChallenges reads', () => {
    const value = buildChallenge({ realm: 'pconn "test"', nonce: 'abc', opaque: 'o', stale: true });
    assert.equal(
      value,
      'Digest realm="pconn \\"test\\"", nonce="abc", opaque="o", algorithm=SHA-256, qop="auth", stale=TRUE',
    );
    const [challenge] = parseDigestChallenges(value);
    assert.deepEqual(
      challenge && [
        challenge.realm,
        challenge.nonce,
        challenge.opaque,
        challenge.algorithm,
        challenge.qop,
        challenge.stale,
      ],
      ['pconn "test"', 'abc', 'o', 'SHA-256', ['auth'], true],
    );
    assert.equal(
      parseDigestChallenges(buildChallenge({ realm: 'r', nonce: 'n', qop: 'none', algorithm: 'MD5' }))[0]?.qop
        .length,
      0,
    );
  });

  test('malformed values give nothing rather than throwing', () => {
    for (const bad of [
      '',
      'Digest',
      'Digest realm',
      'Digest realm="unterminated',
      'Digest realm="a" nonce="b"',
      'Digest realm="a", realm="b", nonce="c"',
    ]) {
      assert.deepEqual(parseDigestChallenges(bad), [], bad);
    }
    assert.equal(parseDigestCredentials('Digest username="a", realm="b"'), undefined);
    assert.equal(parseDigestCredentials('NoOneKnowsThisScheme opaque-data=here'), undefined);
  });
});
