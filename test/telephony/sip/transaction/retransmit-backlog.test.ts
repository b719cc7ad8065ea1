import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { newBranch } from '../../../../src/telephony/sip/message/message-ids.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize-message.ts';
import { createRequest, type SipResponse } from '../../../../src/telephony/sip/message/sip-message.ts';
import type { ClientTransactionUser } from '../../../../src/telephony/sip/transaction/client-transaction.ts';
import type { TransactionLayer } from '../../../../src/telephony/sip/transaction/transaction-layer.ts';
import type { SipTransport } from '../../../../src/telephony/sip/transport/sip-transport.ts';
import { type LayerBench, openLayerBench, type UdpPeer, waitFor } from './test-peer.ts';

const TIMERS = { t1: 20, t2: 80, t4: 100 };

/** Blocks the event loop, as a long synchronous step (a store query, GC) does under load. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

/**
 * Regression for the calls lost in `sip_cps_ratio`: with the event loop busy longer than T1,
 * Timer A fired before the peer's 180 — already in our socket behind other datagrams — was
 * read, and the INVITE copy reached the peer after its 2xx (sipp then aborts the call).
 */
describe('retransmissions wait for the inbound backlog (UDP, T1=20 ms)', () => {
  let transport: SipTransport;
  let layer: TransactionLayer;
  let peer: UdpPeer;
  const retransmits: string[] = [];

  let bench: LayerBench;

  before(async () => {
    bench = await openLayerBench(
      TIMERS,
      { onRequest: () => {}, onAck: () => {}, onStrayResponse: () => {} },
      (e) => {
        if (e.kind === 'retransmit') retransmits.push(e.method);
      },
    );
    ({ transport, layer, peer } = bench);
  });
  after(() => bench.close());

  test('a 180 queued behind 200 datagrams stops Timer A before the INVITE is resent', async () => {
    const responses: number[] = [];
    const user: ClientTransactionUser = {
      onResponse: (response: SipResponse) => responses.push(response.status),
      onTimeout: () => responses.push(408),
      onTransportError: () => responses.push(503),
    };
    // The peer answers at once, behind a burst of other traffic (CRLF keep-alives here), while
    // our loop is busy for 3·T1: Timer A is overdue when the loop turns again.
    peer.socket.once('message', (data) => {
      const parsed = parseMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('the peer expected a request');
      const ringing = createResponse(parsed.message, 180, { toTag: 'peer1' });
      for (let i = 0; i < 200; i++) peer.send('\r\n\r\n', transport.udpPort!);
      peer.send(serializeMessage(ringing), transport.udpPort!);
      busy(3 * TIMERS.t1);
    });
    const invite = createRequest('INVITE', `sip:peer@127.0.0.1:${peer.port}`, [
      ['Via', `SIP/2.0/UDP 127.0.0.1:${transport.udpPort};branch=${newBranch()};rport`],
      ['Max-Forwards', '70'],
      ['From', '<sip:ua@127.0.0.1>;tag=abc'],
      ['To', `<sip:peer@127.0.0.1:${peer.port}>`],
      ['Call-ID', `${newBranch()}@test`],
      ['CSeq', '1 INVITE'],
    ]);
    layer.sendRequest(invite, { host: '127.0.0.1', port: peer.port, transport: 'udp' }, user);
    await waitFor(() => responses.length > 0, 2000, 'the 180');
    // Give a wrongly sent copy time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 5 * TIMERS.t1));
    assert.deepEqual(responses, [180]);
    assert.equal(peer.requests('INVITE').length, 1, 'no INVITE copy after the 180 was queued');
    assert.deepEqual(retransmits, []);
  });
});
