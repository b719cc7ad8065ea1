import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { SipRegisterMetrics } from '../../src/observability/sip-register-metrics.ts';
import type { RegisterRefusal } from '../../src/telephony/sip/registrar/index.ts';
import type { RefusalReport } from '../../src/telephony/sip-driver/refusal-log.ts';
import type { SipDriver } from '../../src/telephony/sip-driver.ts';
import { answer, PASSWORDS, RegisterPhone, startRegistrarDriver } from './support/register-phone.ts';

/*
 * Issue 14 finding 2: password guessing on the registrar. Wrong digests per user and per
 * source host lock out (403, Retry-After) even the right password, until the back-off has
 * passed on the injected clock; other users and hosts are unaffected; lockouts are logged and
 * counted in /metrics. Sources are distinct loopback hosts (127.0.0.x all reach 127.0.0.1).
 */

const MAX_FAILURES = 5;
const LOCKOUT_SECONDS = 60;

describe('SIP registrar: password-guessing lockout', () => {
  let now = 1_700_000_000_000;
  const registry = new Registry();
  const metrics = new SipRegisterMetrics(registry);
  const refusals: RegisterRefusal[] = [];
  const logged: RefusalReport[] = [];
  let driver: SipDriver;
  let port: number;
  const phones: RegisterPhone[] = [];
  let calls = 0;
  const phone = async (host: string) => {
    const opened = await RegisterPhone.open(host);
    phones.push(opened);
    return opened;
  };
  /** One challenge/answer exchange from `from`; returns the answer's response. */
  const attempt = async (from: RegisterPhone, user: string, password: string) => {
    calls += 1;
    const base = { user, callId: `guess-${calls}`, contact: `sip:${user}@${from.source}` };
    const challenge = await from.register(port, { ...base, cseq: 1 });
    if (challenge.status !== 401) return challenge;
    return from.register(port, { ...base, cseq: 2, authorization: answer(challenge, user, password) });
  };
  const metric = async (name: string, label: string) => {
    const found = (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.values(v.labels).includes(label),
    );
    return found?.value ?? 0;
  };

  before(async () => {
    driver = await startRegistrarDriver({
      now: () => now,
      registerLockout: { maxFailures: MAX_FAILURES, windowSeconds: 300, lockoutSeconds: LOCKOUT_SECONDS },
      onEveryRegisterRefusal: (refusal) => {
        refusals.push(refusal);
        metrics.observe(refusal);
      },
      onRegisterRefused: (report) => logged.push(report),
    });
    port = driver.address.port;
  });
  after(async () => {
    for (const opened of phones) opened.close();
    await driver.close();
  });

  test('a burst of wrong digests from one host locks that host out; the right password waits', async () => {
    const attacker = await phone('127.0.0.2');
    const statuses: number[] = [];
    // Guesses for several users (so only the host reaches the threshold), on one socket.
    for (let i = 0; i < 20; i += 1)
      statuses.push((await attempt(attacker, i % 2 ? 'bob' : `nobody${i}`, `guess ${i}`)).status);
    assert.deepEqual(statuses.slice(0, MAX_FAILURES), Array(MAX_FAILURES).fill(401), statuses.join());
    assert.deepEqual(statuses.slice(MAX_FAILURES), Array(20 - MAX_FAILURES).fill(403), statuses.join());
    const right = await attempt(attacker, 'bob', PASSWORDS.bob ?? '');
    assert.equal(right.status, 403, 'the right password from the locked host is refused');
    assert.match(right.headers.get('retry-after') ?? '', /^\d+$/);
    const otherPort = await phone('127.0.0.2');
    assert.equal(
      (await attempt(otherPort, 'bob', PASSWORDS.bob ?? '')).status,
      403,
      'the host, not the port',
    );
    const elsewhere = await phone('127.0.0.3');
    assert.equal((await attempt(elsewhere, 'bob', PASSWORDS.bob ?? '')).status, 200, 'other hosts register');
    assert.deepEqual(driver.bindings.current('t1/bob').length, 1);
    assert.equal(await metric('pconn_sip_register_lockouts_total', 'source'), 1);
    assert.ok((await metric('pconn_sip_register_refusals_total', 'locked_out')) >= 15);
    assert.ok(
      logged.some(
        (r) => r.kind === 'refused' && r.refusal.reason === 'locked_out' && r.refusal.lockout === 'source',
      ),
      'the lockout reaches the refusal log',
    );
    now += LOCKOUT_SECONDS * 1000 + 1000;
    assert.equal(
      (await attempt(attacker, 'bob', PASSWORDS.bob ?? '')).status,
      200,
      'after the back-off: registered',
    );
  });

  test('guesses for one user from many hosts lock the user; its registered phone keeps working', async () => {
    const alicePhone = await phone('127.0.0.10');
    assert.equal((await attempt(alicePhone, 'alice', PASSWORDS.alice ?? '')).status, 200);
    const statuses: number[] = [];
    // Two guesses per host: no host reaches the threshold, the user does.
    for (let i = 0; i < 8; i += 1) {
      const host = await phone(`127.0.1.${Math.floor(i / 2) + 1}`);
      statuses.push((await attempt(host, 'alice', `guess ${i}`)).status);
    }
    assert.deepEqual(statuses.slice(0, MAX_FAILURES), Array(MAX_FAILURES).fill(401), statuses.join());
    assert.deepEqual(statuses.slice(MAX_FAILURES), Array(8 - MAX_FAILURES).fill(403), statuses.join());
    const newcomer = await phone('127.0.2.1');
    const refused = await attempt(newcomer, 'alice', PASSWORDS.alice ?? '');
    assert.equal(refused.status, 403, 'the right password for the locked user is refused');
    assert.equal(await metric('pconn_sip_register_lockouts_total', 'user'), 1);
    assert.ok(
      refusals.some((r) => r.reason === 'locked_out' && r.lockout === 'user' && r.source === newcomer.source),
    );
    assert.equal((await attempt(newcomer, 'bob', PASSWORDS.bob ?? '')).status, 200, 'other users register');
    // The phone that registered before the attack refreshes from its own address and port.
    assert.equal(
      (await attempt(alicePhone, 'alice', PASSWORDS.alice ?? '')).status,
      200,
      'no denial of service',
    );
    now += LOCKOUT_SECONDS * 1000 + 1000;
    assert.equal((await attempt(newcomer, 'alice', PASSWORDS.alice ?? '')).status, 200, 'after the back-off');
  });

  test('a second lockout of the same host lasts twice as long', async () => {
    const attacker = await phone('127.0.0.4');
    const burst = async () => {
      for (let i = 0; i < MAX_FAILURES; i += 1) await attempt(attacker, `nobody${i}`, 'x');
    };
    await burst();
    now += LOCKOUT_SECONDS * 1000 + 1000;
    await burst();
    now += LOCKOUT_SECONDS * 1000 + 1000;
    assert.equal(
      (await attempt(attacker, 'bob', PASSWORDS.bob ?? '')).status,
      403,
      'still locked: 2× back-off',
    );
    now += LOCKOUT_SECONDS * 1000;
    assert.equal((await attempt(attacker, 'bob', PASSWORDS.bob ?? '')).status, 200);
  });
  test('wrong answers on a nonce sent elsewhere (spoofed source) lock nobody out', async () => {
    const attacker = await phone('127.0.0.5');
    const victimHost = await phone('127.0.0.6');
    const base = { user: 'alice', callId: 'spoof', contact: 'sip:alice@203.0.113.9' };
    const challenge = await attacker.register(port, { ...base, cseq: 1 });
    for (let i = 0; i < MAX_FAILURES * 3; i += 1) {
      const authorization = answer(challenge, 'alice', `guess ${i}`, i + 1);
      const response = await victimHost.register(port, { ...base, cseq: i + 2, authorization });
      assert.equal(response.status, 401, `re-challenged, not counted: ${response.status}`);
    }
    assert.equal(
      (await attempt(victimHost, 'bob', PASSWORDS.bob ?? '')).status,
      200,
      'the host is not locked',
    );
  });
});
