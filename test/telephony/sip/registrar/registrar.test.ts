import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDigestChallenges } from '../../../../src/telephony/sip/auth/digest-challenge.ts';
import { digestCredentials } from '../../../../src/telephony/sip/auth/digest-credentials.ts';
import { DigestNonces } from '../../../../src/telephony/sip/auth/digest-nonce.ts';
import { createRequest, type SipResponse } from '../../../../src/telephony/sip/message/sip-message.ts';
import { BindingStore, Registrar } from '../../../../src/telephony/sip/registrar/index.ts';

const REALM = 'pconn.test';

function setup() {
  let now = 1_700_000_000_000;
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
  });
  let cseq = 0;
  const register = (
    headers: Array<[string, string]>,
    auth?: { response: SipResponse; password: string; user?: string },
  ) => {
    cseq += 1;
    const all: Array<[string, string]> = [
      ['Via', `SIP/2.0/UDP 192.0.2.5:5062;branch=z9hG4bK-r${cseq}`],
      ['From', '<sip:alice@pconn.test>;tag=a1'],
      ['To', '<sip:alice@pconn.test>'],
      ['Call-ID', 'reg-1@192.0.2.5'],
      ['CSeq', `${cseq} REGISTER`],
      ...headers,
    ];
    if (auth) {
      const [challenge] = parseDigestChallenges(auth.response.headers.getAll('www-authenticate'));
      assert.ok(challenge);
      const answer = digestCredentials(challenge, {
        username: auth.user ?? 'alice',
        password: auth.password,
        method: 'REGISTER',
        uri: 'sip:pconn.test',
      });
      assert.ok(answer);
      all.push(['Authorization', answer.value]);
    }
    return registrar.handle(createRequest('REGISTER', 'sip:pconn.test', all));
  };
  return { bindings, register, advance: (ms: number) => (now += ms) };
}

describe('registrar (RFC 3261 §10.3)', () => {
  test('challenges, then binds the contact of the tenant whose password verifies', async () => {
    const { bindings, register } = setup();
    const contact: [string, string] = ['Contact', '<sip:alice@192.0.2.5:5062>'];
    const challenge = await register([contact]);
    assert.equal(challenge.status, 401);
    assert.deepEqual(
      parseDigestChallenges(challenge.headers.getAll('www-authenticate')).map((c) => c.algorithm),
      ['SHA-256', 'MD5'],
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
    assert.equal(stale.status, 401, 'the nonce outlived its 300 s');
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
