import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import type { SipDirectory, TrunkRoute } from '../../src/telephony/sip-driver/sip-directory.ts';
import type { TrunkHealth } from '../../src/telephony/sip-driver/trunk-keepalive.ts';
import { SipDriver } from '../../src/telephony/sip-driver.ts';
import { skipWithoutSipp, startSipp } from '../e2e/support/sipp.ts';
import { waitFor } from './sip/transaction/test-peer.ts';

const skip = skipWithoutSipp();

function trunk(id: string, port: number): TrunkRoute {
  return {
    id,
    uri: `sip:127.0.0.1:${port}`,
    username: null,
    password: null,
    maxConcurrent: 10,
    cps: 10,
    offerInInitialInvite: false,
  };
}

test('OPTIONS keep-alive: a sipp trunk is reachable with its RTT, a silent port is not', {
  skip,
}, async () => {
  // sipp answers every OPTIONS (one sipp "call" each); the silent port is bound but never replies.
  const sipp = await startSipp({ scenario: 'answers-options.xml', calls: 1000 });
  const silent = createSocket('udp4');
  silent.bind(0, '127.0.0.1');
  await once(silent, 'listening');
  const trunks = [trunk('t/sipp', sipp.port), trunk('t/silent', silent.address().port)];
  const directory: SipDirectory = {
    trunkFor: async () => undefined,
    registeredAccounts: async () => [],
    trunks: async () => trunks,
  };
  const changes: TrunkHealth[] = [];
  // T1 = 10 ms: an unanswered OPTIONS times out after Timer F = 64·T1 = 640 ms.
  const driver = await SipDriver.start({
    listen: { transport: 'udp', host: '127.0.0.1', port: 0 },
    t1Ms: 10,
    realm: 'test',
    maxRegisterExpires: 3600,
    digestAlgorithms: ['MD5'],
    directory,
    keepaliveSeconds: 0.2,
    onTrunkHealth: (health) => changes.push(health),
  });
  try {
    const byId = () => new Map(driver.trunkHealth().map((h) => [h.trunkId, h]));
    await waitFor(() => byId().size === 2, 5000, 'both trunks probed');
    const up = byId().get('t/sipp')!;
    assert.equal(up.reachable, true);
    assert.equal(up.status, 200);
    assert.ok(up.rttMs !== undefined && up.rttMs >= 0 && up.rttMs < 1000, `rtt ${up.rttMs}`);
    const down = byId().get('t/silent')!;
    assert.equal(down.reachable, false);
    assert.equal(down.status, 408);
    assert.equal(down.rttMs, undefined);
    // The sipp trunk is probed every interval, the silent one once per Timer F at most.
    const answered = byId().get('t/sipp')!.checkedAt;
    await waitFor(() => byId().get('t/sipp')!.checkedAt > answered, 2000, 'next probe');
    const reprobed = byId().get('t/sipp')!.checkedAt;
    await waitFor(() => byId().get('t/sipp')!.checkedAt > reprobed, 2000, 'one more probe');
    // Two probes later, the change of each trunk was still reported once (what main.ts logs),
    // not at every probe.
    assert.deepEqual(changes.map((h) => [h.trunkId, h.reachable]).sort(), [
      ['t/silent', false],
      ['t/sipp', true],
    ]);
    // A trunk that stops answering is reported unreachable.
    await sipp.stop();
    await waitFor(() => byId().get('t/sipp')?.reachable === false, 5000, 'sipp trunk down');
    assert.deepEqual(changes.at(-1)?.trunkId, 't/sipp');
    assert.equal(changes.at(-1)?.reachable, false);
  } finally {
    await driver.close();
    silent.close();
    await sipp.stop();
  }
});
