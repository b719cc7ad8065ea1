import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { newBranch } from '../../../../src/telephony/sip/message/message-ids.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/sip-message.ts';
import type { ServerTransaction } from '../../../../src/telephony/sip/transaction/server-transaction.ts';
import type { TransactionLayer } from '../../../../src/telephony/sip/transaction/transaction-layer.ts';
import type { TransactionEvent } from '../../../../src/telephony/sip/transaction/transaction-timers.ts';
import type { SipTransport } from '../../../../src/telephony/sip/transport/sip-transport.ts';
import {
  delay,
  gaps,
  type LayerBench,
  openLayerBench,
  type UdpPeer,
  waitCollected,
  waitFor,
} from './test-peer.ts';

const TIMERS = { t1: 20, t2: 80, t4: 100 };

function requestText(method: string, branch: string, port: number, cseqMethod = method): string {
  return (
    `${method} sip:ua@127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport\r\n` +
    'Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1>;tag=p1\r\n' +
    `To: <sip:ua@127.0.0.1>${method === 'ACK' ? ';tag=ua1' : ''}\r\n` +
    `Call-ID: ${branch}@peer\r\nCSeq: 7 ${cseqMethod}\r\nContent-Length: 0\r\n\r\n`
  );
}

describe('server transactions (RFC 3261 §17.2) over UDP with T1=20 ms', () => {
  let transport: SipTransport;
  let layer: TransactionLayer;
  let peer: UdpPeer;
  const created: Array<{ request: SipRequest; transaction: ServerTransaction }> = [];
  const acks: SipRequest[] = [];
  const events: TransactionEvent[] = [];

  let bench: LayerBench;

  before(async () => {
    bench = await openLayerBench(
      TIMERS,
      {
        onRequest: (request, transaction) => created.push({ request, transaction }),
        onAck: (request) => acks.push(request),
        onStrayResponse: () => {},
      },
      (e) => events.push(e),
    );
    ({ transport, layer, peer } = bench);
  });
  beforeEach(() => {
    created.length = 0;
    acks.length = 0;
    events.length = 0;
    peer.received.length = 0;
  });
  after(() => bench.close());

  const send = (text: string) => peer.send(text, transport.udpPort!);

  test('INVITE: 100 Trying after 200 ms when the TU is silent; copies get the last response', async () => {
    const branch = newBranch();
    const started = Date.now();
    send(requestText('INVITE', branch, peer.port));
    await waitFor(() => peer.responses(100).length === 1, 1000, '100 Trying');
    const waited = peer.responses(100)[0]!.at - started;
    assert.ok(waited >= 190 && waited < 450, `100 after ${waited} ms`);
    assert.equal(created.length, 1);
    send(requestText('INVITE', branch, peer.port));
    await waitFor(() => peer.responses(100).length === 2, 1000, '100 again for the copy');
    assert.equal(created.length, 1, 'the copy is absorbed by the transaction');
    created[0]!.transaction.respond(createResponse(created[0]!.request, 180, { toTag: 'ua1' }));
    send(requestText('INVITE', branch, peer.port));
    await waitFor(() => peer.responses(180).length === 2, 1000, '180 for the next copy');
    created[0]!.transaction.respond(createResponse(created[0]!.request, 200, { toTag: 'ua1' }));
    send(requestText('INVITE', branch, peer.port));
    await delay(60);
    assert.equal(peer.responses(200).length, 1, 'accepted (RFC 6026) absorbs copies; the TU resends 2xx');
  });

  test('INVITE answered at once gets no 100', async () => {
    const branch = newBranch();
    send(requestText('INVITE', branch, peer.port));
    await waitFor(() => created.length === 1);
    created[0]!.transaction.respond(createResponse(created[0]!.request, 480, { toTag: 'ua1' }));
    // Timer G's copies come 20, 40, 80, 80 ms apart: the fifth leaves ~220 ms after the first,
    // past the 200 ms at which an unanswered INVITE would have got its 100.
    await waitFor(() => peer.responses(480).length >= 5, 1000, 'five copies of the 480');
    assert.equal(peer.responses(100).length, 0);
    send(requestText('ACK', branch, peer.port, 'ACK'));
    await waitFor(() => created[0]!.transaction.state === 'terminated', 1000, 'Timer I');
  });

  test('INVITE: Timer G retransmits a non-2xx until the ACK, Timer H otherwise', async () => {
    const branch = newBranch();
    send(requestText('INVITE', branch, peer.port));
    await waitFor(() => created.length === 1);
    created[0]!.transaction.respond(createResponse(created[0]!.request, 486, { toTag: 'ua1' }));
    await waitFor(() => peer.responses(486).length >= 4, 1000, 'three retransmissions');
    const copies = peer.responses(486);
    // 20, 40, 80 ms apart: the fourth copy comes ≥ 140 ms after the first (60 ms if not doubling).
    assert.ok(copies[3]!.at - copies[0]!.at >= 110, `doubling ${gaps(copies)}`);
    send(requestText('ACK', branch, peer.port, 'ACK'));
    const invite = created[0]!.transaction;
    await waitFor(() => invite.state === 'confirmed' || invite.state === 'terminated', 1000, 'the ACK');
    const count = peer.responses(486).length;
    // Timer I ends the transaction; no timer is left that could send another copy.
    await waitFor(() => invite.state === 'terminated', 1000, 'Timer I');
    assert.equal(peer.responses(486).length, count, 'the ACK stopped Timer G');
    assert.equal(acks.length, 0, 'that ACK belongs to the transaction, not the core');

    // Without an ACK: G caps at T2, H gives up at 64*T1.
    const other = newBranch();
    send(requestText('INVITE', other, peer.port));
    await waitFor(() => created.length === 2);
    created[1]!.transaction.respond(createResponse(created[1]!.request, 603, { toTag: 'ua1' }));
    await waitFor(() => events.some((e) => e.kind === 'timeout' && e.role === 'server'), 2500, 'Timer H');
    const capped = gaps(peer.responses(603)).slice(3);
    // Capped at T2 = 80 ms (uncapped would be 160, 320…); the mean absorbs arrival jitter.
    const mean = capped.reduce((a, b) => a + b, 0) / capped.length;
    assert.ok(capped.length >= 5 && mean >= 65 && mean < 120, `capped at T2: ${capped}`);
  });

  test('an ACK for a 2xx (own branch) goes to the core', async () => {
    send(requestText('ACK', newBranch(), peer.port, 'ACK'));
    await waitFor(() => acks.length === 1);
    assert.equal(created.length, 0);
  });

  test('non-INVITE: copies get the last response; Timer J keeps it for 64*T1', async () => {
    const branch = newBranch();
    send(requestText('OPTIONS', branch, peer.port));
    await waitFor(() => created.length === 1);
    send(requestText('OPTIONS', branch, peer.port));
    await delay(30);
    assert.equal(peer.received.length, 0, 'a copy in trying is absorbed silently');
    created[0]!.transaction.respond(createResponse(created[0]!.request, 200, { toTag: 'ua1' }));
    send(requestText('OPTIONS', branch, peer.port));
    await waitFor(() => peer.responses(200).length === 2);
    assert.equal(created.length, 1);
    await waitFor(() => layer.size === 0, 2500, 'Timer J');
  });

  test('non-INVITE: in Timer J the transaction answers copies without keeping the request', async () => {
    const branch = newBranch();
    send(requestText('BYE', branch, peer.port));
    await waitFor(() => created.length === 1);
    const { transaction } = created[0]!;
    transaction.respond(createResponse(created[0]!.request, 200, { toTag: 'ua1' }));
    const request = new WeakRef(created[0]!.request);
    created.length = 0;
    await waitCollected(
      [request],
      500,
      'the request collected while Timer J (64·T1, 1.28 s here) keeps the transaction',
    );
    assert.equal(transaction.state, 'completed');
    assert.equal(transaction.method, 'BYE');
    send(requestText('BYE', branch, peer.port));
    await waitFor(() => peer.responses(200).length === 2, 1000, 'the copy answered with the same 200');
  });

  test('CANCEL gets its own transaction and finds its INVITE (RFC 3261 §9.2)', async () => {
    const branch = newBranch();
    send(requestText('INVITE', branch, peer.port));
    await waitFor(() => created.length === 1);
    send(requestText('CANCEL', branch, peer.port));
    await waitFor(() => created.length === 2);
    const cancel = created[1]!;
    assert.equal(cancel.request.method, 'CANCEL');
    assert.notEqual(cancel.transaction, created[0]!.transaction);
    assert.equal(layer.inviteServerFor(cancel.request), created[0]!.transaction);
  });
});
