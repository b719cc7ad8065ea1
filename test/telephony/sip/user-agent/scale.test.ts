import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Dialog } from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { waitFor } from '../transaction/test-peer.ts';

const CALLS = 2000;
const SDP =
  'v=0\r\no=s 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe(`scale: ${CALLS} concurrent dialogs between two agents over UDP`, () => {
  let caller: SipUserAgent;
  let callee: SipUserAgent;
  let acks = 0;
  let retransmissions = 0;

  before(async () => {
    // Default timers: loopback answers well within T1 = 500 ms, so nothing is retransmitted.
    caller = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      onTransactionEvent: (e) => {
        if (e.kind === 'retransmit') retransmissions++;
      },
    });
    callee = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      onInvite: (invite) => invite.accept({ sdp: SDP }).onAck(() => acks++),
    });
  });
  after(async () => {
    await caller.close();
    await callee.close();
  });

  test('all answered, held, then hung up; memory per dialog pair stays small', async () => {
    const baseline = heapAfterGc();
    const started = Date.now();
    const dialogs: Dialog[] = [];
    const target = `sip:callee@127.0.0.1:${callee.address.udpPort}`;
    for (let batch = 0; batch < CALLS; batch += 250) {
      const results = await Promise.all(
        Array.from(
          { length: Math.min(250, CALLS - batch) },
          () => caller.invite({ target, sdp: SDP }).result,
        ),
      );
      for (const result of results) {
        assert.equal(result.kind, 'answered');
        if (result.kind === 'answered') dialogs.push(result.dialog);
      }
    }
    await waitFor(() => acks === CALLS, 10_000, 'every 2xx ACKed');
    const setupMs = Date.now() - started;
    assert.equal(caller.stats.dialogs, CALLS);
    assert.equal(callee.stats.dialogs, CALLS);
    const perPair = (heapAfterGc() - baseline) / CALLS;
    // Both sides live in this process, plus transactions kept for Timers J/L/K (64*T1).
    assert.ok(perPair < 40_000, `${Math.round(perPair)} bytes of heap per dialog pair`);
    await Promise.all(dialogs.map((d) => d.bye()));
    assert.equal(caller.stats.dialogs, 0);
    assert.equal(callee.stats.dialogs, 0);
    console.log(
      `${CALLS} calls set up in ${setupMs} ms, ${Math.round(perPair)} bytes of heap per dialog pair, ` +
        `${retransmissions} client retransmissions`,
    );
  });
});
