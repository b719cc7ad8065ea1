import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { newBranch } from '../../../../src/telephony/sip/message/message-ids.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize-message.ts';
import {
  createRequest,
  type SipRequest,
  type SipResponse,
} from '../../../../src/telephony/sip/message/sip-message.ts';
import { getTo } from '../../../../src/telephony/sip/message/typed-headers.ts';
import type {
  ClientTransaction,
  ClientTransactionUser,
} from '../../../../src/telephony/sip/transaction/client-transaction.ts';
import type { TransactionLayer } from '../../../../src/telephony/sip/transaction/transaction-layer.ts';
import type { TransactionEvent } from '../../../../src/telephony/sip/transaction/transaction-timers.ts';
import type { SipTransport } from '../../../../src/telephony/sip/transport/sip-transport.ts';
import { gaps, type LayerBench, openLayerBench, type UdpPeer, waitCollected, waitFor } from './test-peer.ts';

const TIMERS = { t1: 20, t2: 80, t4: 100 };

/** Records what the transaction passes up. */
class Recorder implements ClientTransactionUser {
  responses: number[] = [];
  timeouts = 0;
  errors: Error[] = [];
  transaction: ClientTransaction | undefined;
  onResponse(response: SipResponse, t: ClientTransaction): void {
    this.responses.push(response.status);
    this.transaction = t;
  }
  onTimeout(): void {
    this.timeouts++;
  }
  onTransportError(_t: ClientTransaction, error: Error): void {
    this.errors.push(error);
  }
}

describe('client transactions (RFC 3261 §17.1) over UDP with T1=20 ms', () => {
  let transport: SipTransport;
  let layer: TransactionLayer;
  let peer: UdpPeer;
  const events: TransactionEvent[] = [];
  const fired: { at: number }[] = [];
  const stray: SipResponse[] = [];

  let bench: LayerBench;

  before(async () => {
    bench = await openLayerBench(
      TIMERS,
      { onRequest: () => {}, onAck: () => {}, onStrayResponse: (r) => stray.push(r) },
      (e) => {
        events.push(e);
        if (e.kind === 'retransmit') fired.push({ at: Date.now() });
      },
      ['udp', 'tcp'],
    );
    ({ transport, layer, peer } = bench);
    // Warm the send path (first dgram send loads the DNS lookup code) so timings are clean.
    await transport.send(Buffer.from('\r\n\r\n'), { host: '127.0.0.1', port: peer.port, transport: 'udp' });
  });
  beforeEach(() => {
    peer.received.length = 0;
    events.length = 0;
    fired.length = 0;
  });
  after(() => bench.close());

  function request(method: string, transportName = 'UDP'): SipRequest {
    return createRequest(method, `sip:peer@127.0.0.1:${peer.port}`, [
      ['Via', `SIP/2.0/${transportName} 127.0.0.1:${transport.udpPort};branch=${newBranch()};rport`],
      ['Max-Forwards', '70'],
      ['From', '<sip:ua@127.0.0.1>;tag=abc'],
      ['To', `<sip:peer@127.0.0.1:${peer.port}>`],
      ['Call-ID', `${newBranch()}@test`],
      ['CSeq', `1 ${method}`],
    ]);
  }
  const to = () => ({ host: '127.0.0.1', port: peer.port, transport: 'udp' as const });

  function answer(status: number, method: string): void {
    const last = peer.requests(method).at(-1)!.message as SipRequest;
    peer.send(serializeMessage(createResponse(last, status, { toTag: 'peer1' })), transport.udpPort!);
  }

  test('non-INVITE: Timer E doubles up to T2, Timer F times out at 64*T1', async () => {
    const user = new Recorder();
    const started = Date.now();
    layer.sendRequest(request('OPTIONS'), to(), user);
    await waitFor(() => user.timeouts === 1, 3000, 'Timer F');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 64 * TIMERS.t1 - 5 && elapsed < 64 * TIMERS.t1 + 300, `F fired after ${elapsed} ms`);
    const sent = peer.requests('OPTIONS');
    // Timer E as fired (arrival times jitter on a loaded machine): 20, then 40, 80, 80…
    const intervals = [fired[0]!.at - started, ...gaps(fired)];
    assert.ok(intervals[0]! >= 15 && intervals[0]! < 40, `first gap ${intervals[0]}`);
    assert.ok(intervals[1]! >= 35 && intervals[1]! < 70, `second gap ${intervals[1]}`);
    const capped = intervals.slice(3);
    const mean = capped.reduce((a, b) => a + b, 0) / capped.length;
    assert.ok(mean >= 70 && mean < 120 && Math.max(...capped) < 200, `capped gaps ${capped}`);
    assert.ok(sent.length >= 14 && sent.length <= 18, `${sent.length} sends`);
    assert.equal(events.filter((e) => e.kind === 'retransmit').length, sent.length - 1);
    assert.deepEqual(events.at(-1), { kind: 'timeout', role: 'client', method: 'OPTIONS' });
    assert.equal(layer.size, 0);
  });

  test('non-INVITE: a final stops retransmissions and later copies are absorbed', async () => {
    const user = new Recorder();
    layer.sendRequest(request('OPTIONS'), to(), user);
    await waitFor(() => peer.requests('OPTIONS').length >= 2);
    answer(100, 'OPTIONS');
    answer(200, 'OPTIONS');
    answer(200, 'OPTIONS');
    await waitFor(() => user.responses.length === 2);
    const count = peer.requests('OPTIONS').length;
    // Once Timer K has ended the transaction no timer of it is left to retransmit: wait for
    // that instead of sleeping, then check nothing went out meanwhile.
    await waitFor(() => layer.size === 0, 1000, 'Timer K ends the transaction');
    assert.equal(peer.requests('OPTIONS').length, count, 'no retransmission after the final');
    assert.deepEqual(user.responses, [100, 200], 'second 200 absorbed (Timer K)');
    assert.equal(user.timeouts, 0);
  });

  test('non-INVITE: in Timer K the transaction keeps neither its request nor its user', async () => {
    // A layer of its own with Timer K (T4) at 5 s, so that the check runs well inside it.
    const long = await openLayerBench(
      { ...TIMERS, t4: 5000 },
      { onRequest() {}, onAck() {}, onStrayResponse() {} },
      () => {},
    );
    try {
      const sent = await (async () => {
        const user = new Recorder();
        const bye = createRequest('BYE', `sip:peer@127.0.0.1:${long.peer.port}`, [
          ['Via', `SIP/2.0/UDP 127.0.0.1:${long.transport.udpPort};branch=${newBranch()};rport`],
          ['Max-Forwards', '70'],
          ['From', '<sip:ua@127.0.0.1>;tag=abc'],
          ['To', `<sip:peer@127.0.0.1:${long.peer.port}>;tag=peer1`],
          ['Call-ID', `${newBranch()}@test`],
          ['CSeq', '2 BYE'],
        ]);
        const transaction = long.layer.sendRequest(
          bye,
          { host: '127.0.0.1', port: long.peer.port, transport: 'udp' },
          user,
        );
        await waitFor(() => long.peer.requests('BYE').length >= 1);
        const last = long.peer.requests('BYE').at(-1)!.message as SipRequest;
        long.peer.send(
          serializeMessage(createResponse(last, 200, { toTag: 'peer1' })),
          long.transport.udpPort!,
        );
        await waitFor(() => user.responses.length === 1);
        return { transaction, request: new WeakRef(bye), user: new WeakRef(user) };
      })();
      await waitCollected(
        [sent.request, sent.user],
        1000,
        'the request and the user collected while Timer K keeps the transaction',
      );
      assert.equal(sent.transaction.state, 'completed');
      assert.equal(sent.transaction.method, 'BYE');
      assert.equal(long.layer.size, 1);
    } finally {
      await long.close();
    }
  });

  test('INVITE: Timer A doubles without cap, Timer B reports a timeout', async () => {
    const user = new Recorder();
    const started = Date.now();
    layer.sendRequest(request('INVITE'), to(), user);
    await waitFor(() => user.timeouts === 1, 3000, 'Timer B');
    assert.equal(peer.requests('INVITE').length, 7);
    const intervals = [fired[0]!.at - started, ...gaps(fired)];
    // 20, 40, 80, 160, 320, 640 (next would exceed B = 1280).
    assert.equal(intervals.length, 6, `gaps ${intervals}`);
    intervals.forEach((gap, i) => {
      const expected = TIMERS.t1 * 2 ** i;
      assert.ok(gap >= expected * 0.8 && gap < expected + 40, `gap ${i} = ${gap} in ${intervals}`);
    });
  });

  test('INVITE: a provisional stops Timer A; a 486 is ACKed in the transaction, also when repeated', async () => {
    const user = new Recorder();
    const invite = request('INVITE');
    layer.sendRequest(invite, to(), user);
    await waitFor(() => peer.requests('INVITE').length >= 1);
    answer(180, 'INVITE');
    await waitFor(() => user.responses.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(peer.requests('INVITE').length, 1, 'no retransmission in proceeding');
    answer(486, 'INVITE');
    await waitFor(() => peer.requests('ACK').length === 1);
    const ack = peer.requests('ACK')[0]!.message as SipRequest;
    assert.equal(ack.uri, invite.uri);
    assert.equal(getTo(ack.headers)?.params.get('tag'), 'peer1');
    assert.equal(ack.headers.get('via'), invite.headers.get('via'), 'same top Via and branch (§17.1.1.3)');
    assert.equal(ack.headers.get('cseq'), '1 ACK');
    answer(486, 'INVITE');
    await waitFor(() => peer.requests('ACK').length === 2, 1000, 'ACK for the retransmitted 486');
    assert.deepEqual(user.responses, [180, 486]);
  });

  test('INVITE: Timer B does not end a ringing call; after a CANCEL the wait is 64*T1 (§9.1)', async () => {
    const user = new Recorder();
    layer.sendRequest(request('INVITE'), to(), user);
    await waitFor(() => peer.requests('INVITE').length >= 1);
    answer(180, 'INVITE');
    await waitFor(() => user.responses.length === 1);
    const timerB = 64 * TIMERS.t1;
    await new Promise((r) => setTimeout(r, timerB + 400));
    assert.equal(user.timeouts, 0, 'still ringing after Timer B (Figure 5: B applies in Calling only)');
    assert.equal(user.transaction?.state, 'proceeding');
    const cancelled = Date.now();
    user.transaction!.giveUpWithoutFinal();
    user.transaction!.giveUpWithoutFinal(); // idempotent: the wait is not extended
    await waitFor(() => user.timeouts === 1, 3000, 'give-up after CANCEL');
    const waited = Date.now() - cancelled;
    assert.ok(waited >= timerB - 5 && waited < timerB + 300, `gave up after ${waited} ms`);
    assert.equal(user.transaction?.state, 'terminated');
  });

  test('INVITE: 2xx ends the transaction; its retransmissions go to the core', async () => {
    const user = new Recorder();
    stray.length = 0;
    layer.sendRequest(request('INVITE'), to(), user);
    await waitFor(() => peer.requests('INVITE').length >= 1);
    answer(200, 'INVITE');
    await waitFor(() => user.responses.length === 1);
    answer(200, 'INVITE');
    await waitFor(() => stray.length === 1);
    assert.equal(peer.requests('ACK').length, 0, 'the transaction never ACKs a 2xx');
  });

  test('CANCEL has its own transaction with the INVITE branch', async () => {
    const inviteUser = new Recorder();
    const cancelUser = new Recorder();
    const invite = request('INVITE');
    layer.sendRequest(invite, to(), inviteUser);
    const cancel = createRequest('CANCEL', invite.uri, [
      ['Via', invite.headers.get('via')!],
      ['Max-Forwards', '70'],
      ['From', invite.headers.get('from')!],
      ['To', invite.headers.get('to')!],
      ['Call-ID', invite.headers.get('call-id')!],
      ['CSeq', '1 CANCEL'],
    ]);
    await waitFor(() => peer.requests('INVITE').length >= 1);
    answer(180, 'INVITE');
    await waitFor(() => inviteUser.responses.length === 1);
    layer.sendRequest(cancel, to(), cancelUser);
    await waitFor(() => peer.requests('CANCEL').length === 1);
    answer(200, 'CANCEL');
    answer(487, 'INVITE');
    await waitFor(() => cancelUser.responses.length === 1 && inviteUser.responses.length === 2);
    assert.deepEqual(cancelUser.responses, [200]);
    assert.deepEqual(inviteUser.responses, [180, 487]);
  });

  test('a TCP send to a closed port is a transport error, not a timeout', async () => {
    const user = new Recorder();
    layer.sendRequest(request('OPTIONS', 'TCP'), { host: '127.0.0.1', port: 1, transport: 'tcp' }, user);
    await waitFor(() => user.errors.length === 1);
    assert.equal(user.timeouts, 0);
  });
});
