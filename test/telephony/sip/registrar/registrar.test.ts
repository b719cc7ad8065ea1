import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDigestChallenges } from '../../../../src/telephony/sip/auth/digest-challenge.ts';
import { digestCredentials, NonceCounter } from '../../../../src/telephony/sip/auth/digest-credentials.ts';
import { DigestNonces } from '../../../../src/telephony/sip/auth/digest-nonce.ts';
import type { DigestAlgorithm } from '../../../../src/telephony/sip/auth/digest-response.ts';
import { createRequest, type SipResponse } from '../../../../src/telephony/sip/message/sip-message.ts';
import {
  type BindingChangeReport,
  BindingStore,
  type RegisterRefusal,
  Registrar,
} from '../../../../src/telephony/sip/registrar/index.ts';

const REALM = 'pconn.test';

function setup(options: { algorithms?: DigestAlgorithm[] } = {}) {
  let now = 1_700_000_000_000;
  const refusals: RegisterRefusal[] = [];
  const changes: BindingChangeReport[] = [];
  const clock = () => now;
  const bindings = new BindingStore(clock);
  const registrar = new Registrar({
    realm: REALM,
    nonces: new DigestNonces({ secret: 'a registrar secret of 32 bytes!!', now: clock }),
    bindings,
    accounts: async (username) =>
      username === 'alice'
        ? [
            { password: 'other tenant pw', aor: 't2/alice' },
            { password: 'alice secret', aor: 't1/alice' },
          ]
        : [],
    onRefused: (refusal) => refusals.push(refusal),
    onBindingChange: (change) => changes.push(change),
    ...(options.algorithms ? { algorithms: options.algorithms } : {}),
  });
  let cseq = 0;
  // Like a phone: each answer on a nonce counts up (RFC 7616 §3.4), so reusing it is no replay.
  const counter = new NonceCounter();
  const register = (
    headers: Array<[string, string]>,
    auth?: { response: SipResponse; password: string; user?: string; algorithm?: string },
  ) => {
    cseq += 1;
    const all: Array<[string, string]> = [
      ['Via', `SIP/2.0/UDP 192.0.2.5:5062;branch=z9hG4bK-r${cseq}`],
      ['From', '<sip:alice@pconn.test>;tag=a1'],
      ...(headers.some(([name]) => name === 'To')
        ? []
        : [['To', '<sip:alice@pconn.test>'] as [string, string]]),
      ['Call-ID', 'reg-1@192.0.2.5'],
      ['CSeq', `${cseq} REGISTER`],
      ...headers,
    ];
    if (auth) {
      const [first] = parseDigestChallenges(auth.response.headers.getAll('www-authenticate'));
      assert.ok(first);
      // A client that answers with another algorithm than the one offered (misconfigured phone).
      const challenge = auth.algorithm ? { ...first, algorithm: auth.algorithm } : first;
      const answer = digestCredentials(challenge, {
        username: auth.user ?? 'alice',
        password: auth.password,
        method: 'REGISTER',
        uri: 'sip:pconn.test',
        nc: counter.next(challenge.nonce),
      });
      assert.ok(answer, 'the challenge can be answered');
      all.push(['Authorization', answer.value]);
    }
    return registrar.handle(createRequest('REGISTER', 'sip:pconn.test', all), '192.0.2.5:5062');
  };
  return { bindings, register, refusals, changes, advance: (ms: number) => (now += ms) };
}

describe('registrar (RFC 3261 §10.3)', () => {
  test('challenges, then binds the contact of the tenant whose password verifies', async () => {
    const { bindings, register } = setup();
    const contact: [string, string] = ['Contact', '<sip:alice@192.0.2.5:5062>'];
    const challenge = await register([contact]);
    assert.equal(challenge.status, 401);
    assert.deepEqual(
      parseDigestChallenges(challenge.headers.getAll('www-authenticate')).map((c) => c.algorithm),
      ['MD5'],
      'by default MD5 alone: libre (baresip) and older pjsip fail on any other challenge in the 401',
    );
    const ok = await register([contact, ['Expires', '120']], {
      response: challenge,
      password: 'alice secret',
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.headers.getAll('contact'), ['<sip:alice@192.0.2.5:5062>;expires=120']);
    assert.equal(bindings.current('t1/alice')[0]?.contact, 'sip:alice@192.0.2.5:5062');
    assert.equal(bindings.current('t2/alice').length, 0);
  });

  test('configured algorithms are all offered, most preferred first (RFC 8760 §2.4)', async () => {
    const { register } = setup({ algorithms: ['SHA-256', 'MD5'] });
    const contact: [string, string] = ['Contact', '<sip:alice@192.0.2.5:5062>'];
    const challenge = await register([contact]);
    assert.deepEqual(
      parseDigestChallenges(challenge.headers.getAll('www-authenticate')).map((c) => c.algorithm),
      ['SHA-256', 'MD5'],
    );
    assert.equal((await register([contact], { response: challenge, password: 'alice secret' })).status, 200);
  });

  test('refused REGISTERs are reported with user, source, reason and phone; a first challenge is not', async () => {
    const { register, refusals } = setup();
    const contact: [string, string] = ['Contact', '<sip:alice@192.0.2.5:5062>'];
    const phone: [string, string] = ['User-Agent', 'baresip v1.0.0 (x86_64/linux)'];
    const challenge = await register([contact, phone]);
    assert.equal(refusals.length, 0, 'the first, credential-less REGISTER is the normal start');
    assert.equal(
      (await register([contact, phone], { response: challenge, password: 'nope nope' })).status,
      401,
    );
    assert.equal(
      (await register([contact], { response: challenge, password: 'x', user: 'mallory' })).status,
      401,
      'an unknown user gets the same answer as a wrong password (no username probing)',
    );
    const sha = await register([contact], {
      response: challenge,
      password: 'alice secret',
      algorithm: 'SHA-256',
    });
    assert.equal(sha.status, 401, 'SHA-256 credentials while only MD5 is offered');
    const forbidden = await register([['To', '<sip:bob@pconn.test>'], contact], {
      response: challenge,
      password: 'alice secret',
    });
    assert.equal(forbidden.status, 403);
    assert.deepEqual(
      refusals.map((r) => [r.reason, r.user, r.source, r.status, r.algorithm]),
      [
        ['wrong_password', 'alice', '192.0.2.5:5062', 401, 'MD5'],
        ['unknown_user', 'mallory', '192.0.2.5:5062', 401, 'MD5'],
        ['unsupported_algorithm', 'alice', '192.0.2.5:5062', 401, 'SHA-256'],
        ['not_own_aor', 'alice', '192.0.2.5:5062', 403, 'MD5'],
      ],
    );
    assert.equal(refusals[0]?.userAgent, 'baresip v1.0.0 (x86_64/linux)');
    assert.deepEqual(refusals[2]?.offered, ['MD5']);
    assert.ok(!JSON.stringify(refusals).includes('alice secret'), 'no secret in a report');
  });

  test('a phone that cannot answer the challenge (second bare REGISTER on the Call-ID) is reported', async () => {
    const { register, refusals } = setup({ algorithms: ['SHA-256'] });
    const contact: [string, string] = ['Contact', '<sip:alice@192.0.2.5:5062>'];
    const phone: [string, string] = ['User-Agent', 'MD5-only phone'];
    await register([contact, phone]);
    assert.equal(refusals.length, 0);
    assert.equal((await register([contact, phone])).status, 401);
    assert.deepEqual(
      refusals.map((r) => [r.reason, r.user, r.userAgent, r.offered]),
      [['challenge_not_answered', 'alice', 'MD5-only phone', ['SHA-256']]],
    );
  });

  test('an expired nonce is re-challenged (stale) without a refusal report', async () => {
    const { register, refusals, advance } = setup();
    const contact: [string, string] = ['Contact', '<sip:alice@192.0.2.5:5062>'];
    const challenge = await register([contact]);
    advance(301_000);
    const stale = await register([contact], { response: challenge, password: 'alice secret' });
    assert.match(stale.headers.get('www-authenticate') ?? '', /stale=TRUE/);
    assert.equal(refusals.length, 0);
  });

  test('a wrong password gets a new challenge; another user is forbidden', async () => {
    const { register } = setup();
    const contact: [string, string] = ['Contact', '<sip:alice@192.0.2.5:5062>'];
    const challenge = await register([contact]);
    assert.equal((await register([contact], { response: challenge, password: 'nope nope' })).status, 401);
    assert.equal(
      (await register([contact], { response: challenge, password: 'x', user: 'bob' })).status,
      401,
    );
  });

  test('new and removed contacts are reported, refreshes are not', async () => {
    const { register, changes, advance } = setup();
    const challenge = await register([['Contact', '<sip:a@h1>']]);
    const auth = { response: challenge, password: 'alice secret' };
    const phone: [string, string] = ['User-Agent', 'MicroSIP/3.21.3'];
    await register([['Contact', '<sip:a@h1>'], phone], auth);
    await register([['Contact', '<sip:a@h1>'], phone], auth);
    await register([['Contact', '<sip:a@h2>;expires=0'], phone], auth);
    await register([['Contact', '<sip:a@h1>;expires=0'], phone], auth);
    await register([['Contact', '<sip:a@h1>;expires=60'], phone], auth);
    advance(61_000);
    // The nonce expired with the binding (60 s): the phone answers the stale challenge.
    auth.response = await register([['Contact', '<sip:a@h1>;expires=60'], phone], auth);
    assert.equal(auth.response.status, 401);
    await register([['Contact', '<sip:a@h1>;expires=60'], phone], auth);
    assert.deepEqual(
      changes.map((c) => [c.user, c.aor, c.added, c.removed, c.source, c.userAgent]),
      [
        ['alice', 't1/alice', ['sip:a@h1'], [], '192.0.2.5:5062', 'MicroSIP/3.21.3'],
        ['alice', 't1/alice', [], ['sip:a@h1'], '192.0.2.5:5062', 'MicroSIP/3.21.3'],
        ['alice', 't1/alice', ['sip:a@h1'], [], '192.0.2.5:5062', 'MicroSIP/3.21.3'],
        ['alice', 't1/alice', ['sip:a@h1'], [], '192.0.2.5:5062', 'MicroSIP/3.21.3'],
      ],
      'a refresh and removing an unknown contact report nothing; a contact back after expiry is new',
    );
  });

  test('expiry: contact param over header, 423 below Min-Expires, 0 removes, * clears, bindings lapse', async () => {
    const { bindings, register, advance } = setup();
    const challenge = await register([['Contact', '<sip:a@h1>']]);
    const auth = { response: challenge, password: 'alice secret' };
    const two = await register(
      [
        ['Contact', '<sip:a@h1>;expires=300, <sip:a@h2>'],
        ['Expires', '90'],
      ],
      auth,
    );
    assert.equal(two.status, 200);
    assert.deepEqual(two.headers.list('contact').sort(), ['<sip:a@h1>;expires=300', '<sip:a@h2>;expires=90']);
    const tooShort = await register([['Contact', '<sip:a@h3>;expires=5']], auth);
    assert.equal(tooShort.status, 423);
    assert.equal(tooShort.headers.get('min-expires'), '60');
    const removed = await register([['Contact', '<sip:a@h2>;expires=0']], auth);
    assert.deepEqual(removed.headers.list('contact'), ['<sip:a@h1>;expires=300']);
    advance(301_000);
    assert.equal(bindings.current('t1/alice').length, 0, 'expired bindings are gone');
    const stale = await register([['Contact', '<sip:a@h1>']], auth);
    assert.equal(stale.status, 401, 'the nonce outlived its 60 s');
    assert.match(stale.headers.get('www-authenticate') ?? '', /stale=TRUE/);
    auth.response = stale;
    assert.equal((await register([['Contact', '<sip:a@h1>']], auth)).status, 200);
    assert.equal(bindings.current('t1/alice').length, 1);
    assert.equal((await register([['Contact', '*']], auth)).status, 400, '* needs Expires: 0');
    const cleared = await register(
      [
        ['Contact', '*'],
        ['Expires', '0'],
      ],
      auth,
    );
    assert.equal(cleared.status, 200);
    assert.equal(cleared.headers.has('contact'), false);
    assert.equal(bindings.size, 0);
  });

  test('a reordered REGISTER (same Call-ID, lower CSeq) does not undo a newer one', () => {
    const bindings = new BindingStore(() => 0);
    bindings.apply('k', 'c1', 5, [{ contact: 'sip:a@h', expiresSeconds: 60, q: 1 }]);
    bindings.apply('k', 'c1', 4, [{ contact: 'sip:a@h', expiresSeconds: 0, q: 1 }]);
    assert.equal(bindings.current('k').length, 1);
    bindings.apply('k', 'c2', 1, [{ contact: 'sip:a@h', expiresSeconds: 0, q: 1 }]);
    assert.equal(bindings.current('k').length, 0);
  });
});
