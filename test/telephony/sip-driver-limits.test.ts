import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BindingStore } from '../../src/telephony/sip/registrar/index.ts';
import { routeLeg } from '../../src/telephony/sip-driver/leg-route.ts';
import type { SipDirectory, TrunkRoute } from '../../src/telephony/sip-driver/sip-directory.ts';
import { TrunkLimiter } from '../../src/telephony/sip-driver/trunk-limiter.ts';

const TRUNK: TrunkRoute = {
  id: 't1/default',
  uri: 'sip:trunk.example.com:5080;transport=tcp',
  username: 'acct',
  password: 'secret',
  maxConcurrent: 2,
  cps: 10,
  offerInInitialInvite: false,
};
const directory: SipDirectory = {
  trunkFor: async (tenantId) => (tenantId === 't1' ? TRUNK : undefined),
  registeredAccounts: async () => [],
};

describe('SIP driver: trunk limits', () => {
  test('maxConcurrent: a third leg waits until one of two ends', async () => {
    const limiter = new TrunkLimiter();
    const limits = { maxConcurrent: 2, cps: 1000 };
    const first = await limiter.acquire('t', limits, () => false);
    const second = await limiter.acquire('t', limits, () => false);
    const got: Array<() => void> = [];
    const waiting = limiter.acquire('t', limits, () => false).then((release) => release && got.push(release));
    // Nothing but a release can wake the third leg (no timer is involved): one turn of the
    // event loop lets anything else that would resolve it run.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(got.length, 0, 'no slot while two legs are up');
    first?.();
    await waiting;
    assert.equal(got.length, 1);
    second?.();
    for (const release of got) release();
  });

  test('cps: INVITEs leave at most cps per second', async () => {
    const limiter = new TrunkLimiter();
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const release = await limiter.acquire('t', { maxConcurrent: 10, cps: 20 }, () => false);
        started.push(Date.now() - t0);
        release?.();
      }),
    );
    // 20 cps = one every 50 ms: the fourth leaves ~150 ms after the first.
    assert.ok((started.at(-1) ?? 0) >= 140, `started at ${started.join(', ')} ms`);
  });

  test('a leg that ends while queued gives its turn away', async () => {
    const limiter = new TrunkLimiter();
    const limits = { maxConcurrent: 1, cps: 1000 };
    const first = await limiter.acquire('t', limits, () => false);
    let abandoned = false;
    const gaveUp = limiter.acquire('t', limits, () => abandoned);
    const next = limiter.acquire('t', limits, () => false);
    abandoned = true;
    first?.();
    assert.equal(await gaveUp, undefined);
    assert.ok(await next);
  });
});

describe('SIP driver: leg routing', () => {
  const base = { legId: 'c/1/contact', callerId: '+14155550100', ringTimeoutSeconds: 30 };

  test('a phone number goes through the tenant trunk with its parameters and credentials', async () => {
    const route = await routeLeg(
      { ...base, tenantId: 't1', target: { kind: 'phone', number: '+12125550100' } },
      directory,
      new BindingStore(),
      '127.0.0.1',
    );
    assert.ok(!('status' in route));
    assert.equal(route.target, 'sip:+12125550100@trunk.example.com:5080;transport=tcp');
    assert.equal(route.from, 'sip:+14155550100@trunk.example.com');
    assert.deepEqual(route.credentials, { username: 'acct', password: 'secret' });
  });

  test('no trunk: 503; unregistered device: 480; registered: its newest binding', async () => {
    const bindings = new BindingStore();
    const phone = await routeLeg(
      { ...base, tenantId: 't2', target: { kind: 'phone', number: '+12125550100' } },
      directory,
      bindings,
      'h',
    );
    assert.deepEqual('status' in phone && phone.status, 503);
    const device = { ...base, tenantId: 't1', target: { kind: 'registered' as const, username: 'alice' } };
    const missing = await routeLeg(device, directory, bindings, 'h');
    assert.equal('status' in missing && missing.status, 480);
    bindings.apply('t1/alice', 'r1', 1, [{ contact: 'sip:alice@192.0.2.7:5062', expiresSeconds: 60, q: 1 }]);
    bindings.apply('t2/alice', 'r2', 1, [{ contact: 'sip:alice@192.0.2.9:5062', expiresSeconds: 60, q: 1 }]);
    const found = await routeLeg(device, directory, bindings, 'h');
    assert.equal(!('status' in found) && found.target, 'sip:alice@192.0.2.7:5062');
  });
});
