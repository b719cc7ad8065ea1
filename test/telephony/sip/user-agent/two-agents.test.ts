import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  Dialog,
  DialogEnd,
  IncomingInvite,
  IncomingRequest,
  TransactionEvent,
} from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { waitFor } from '../transaction/test-peer.ts';

const TIMERS = { t1: 50, t2: 400, t4: 500 };
const OFFER =
  'v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const ANSWER = OFFER.replace('4000', '5000').replace('o=a', 'o=b');

function ended(dialog: Dialog): Promise<DialogEnd> {
  return new Promise((resolve) => dialog.onEnded(resolve));
}

describe('two SipUserAgents talking (UDP and TCP)', () => {
  let alice: SipUserAgent;
  let bob: SipUserAgent;
  const invites: IncomingInvite[] = [];
  const requests: IncomingRequest[] = [];
  const events: TransactionEvent[] = [];
  const bobDialogs: Dialog[] = [];
  let bobAcks = 0;
  let answerMode: 'accept' | 'ring' | 'busy' = 'accept';

  before(async () => {
    alice = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      timers: TIMERS,
      onTransactionEvent: (e) => events.push(e),
    });
    bob = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      timers: TIMERS,
      userAgent: 'bob-ua',
      onInvite: (invite) => {
        invites.push(invite);
        if (answerMode === 'busy') invite.reject(486);
        else if (answerMode === 'accept') {
          invite.progress(180);
          const dialog = invite.accept({ sdp: invite.sdp ? ANSWER : OFFER });
          dialog.onAck(() => bobAcks++);
          bobDialogs.push(dialog);
        } else invite.progress(180);
      },
      onRequest: (request) => {
        requests.push(request);
        request.respond(202, 'Accepted');
      },
    });
  });
  after(async () => {
    await alice.close();
    await bob.close();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    test(`${transport}: INVITE → 180 → 200 → ACK, then BYE from the caller`, async () => {
      invites.length = 0;
      bobAcks = 0;
      answerMode = 'accept';
      const port = transport === 'udp' ? bob.address.udpPort : bob.address.tcpPort;
      const target = `sip:bob@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
      const call = alice.invite({
        target,
        sdp: OFFER,
        from: { uri: 'sip:alice@example.com', displayName: 'Alice A' },
      });
      const provisional: number[] = [];
      const early: Array<{ dialog: Dialog | undefined; state: string | undefined }> = [];
      call.on('provisional', (p) => {
        provisional.push(p.status);
        early.push({ dialog: p.dialog, state: p.dialog?.state });
      });
      const result = await call.result;
      assert.equal(result.kind, 'answered');
      assert.ok(result.kind === 'answered');
      assert.equal(result.sdp, ANSWER);
      assert.deepEqual(provisional, [180]);
      const caller = result.dialog;
      assert.equal(caller.state, 'confirmed');
      assert.equal(early[0]!.state, 'early', 'the 180 made an early dialog (§12.1.2)');
      assert.equal(early[0]!.dialog, caller, 'the 2xx confirmed that same dialog');
      assert.equal(caller.role, 'uac');
      const invite = invites[0]!;
      assert.equal(invite.source.transport, transport);
      assert.equal(invite.sdp, OFFER);
      assert.match(invite.message.headers.get('from')!, /^"Alice A" <sip:alice@example.com>;tag=/);
      assert.equal(invite.message.headers.get('max-forwards'), '70');
      assert.equal(invite.message.headers.get('user-agent'), 'pconn');
      assert.ok(
        invite.message.headers.get('contact')!.includes(
          // By transport, not by port: UDP and TCP share a port only when the OS lets them.
          `127.0.0.1:${transport === 'udp' ? alice.address.udpPort : alice.address.tcpPort}`,
        ),
      );
      await waitFor(() => bob.stats.dialogs === 1);
      await waitFor(() => bobAcks === 1, 1000, 'the ACK reached Bob');
      // Bob's 2xx retransmission stops once the ACK arrived: the dialog on both sides stays up.
      await new Promise((r) => setTimeout(r, 3 * TIMERS.t1));
      const calleeEnded = ended(bobDialogs.at(-1)!);
      await caller.bye();
      assert.equal(caller.state, 'terminated');
      assert.deepEqual(await ended(caller), { by: 'local', status: 200, reason: 'OK' });
      assert.equal((await calleeEnded).by, 'remote');
      assert.equal(alice.stats.dialogs, 0);
      assert.equal(bob.stats.dialogs, 0);
    });
  }

  test('a request too large for UDP goes over TCP (RFC 3261 §18.1.1)', async () => {
    invites.length = 0;
    answerMode = 'accept';
    const big = `${OFFER}${'a=x-padding:0123456789abcdef0123456789abcdef\r\n'.repeat(40)}`;
    const result = await alice.invite({ target: `sip:bob@127.0.0.1:${bob.address.udpPort}`, sdp: big })
      .result;
    assert.ok(result.kind === 'answered');
    assert.equal(invites[0]!.source.transport, 'tcp');
    assert.match(invites[0]!.message.headers.get('via')!, /^SIP\/2\.0\/TCP /);
    assert.match(invites[0]!.message.headers.get('contact')!, /transport=tcp/);
    await result.dialog.bye();
  });

  test('busy: 486 is a failure with the status kept', async () => {
    answerMode = 'busy';
    const failures: number[] = [];
    const call = alice.invite({ target: `sip:bob@127.0.0.1:${bob.address.udpPort}` });
    call.on('failed', (f) => failures.push(f.status));
    const result = await call.result;
    assert.equal(result.kind, 'failed');
    assert.ok(result.kind === 'failed');
    assert.equal(result.status, 486);
    assert.deepEqual(failures, [486]);
  });

  test('cancel after 180: CANCEL → 487 on both sides', async () => {
    answerMode = 'ring';
    invites.length = 0;
    const call = alice.invite({ target: `sip:bob@127.0.0.1:${bob.address.udpPort}`, sdp: OFFER });
    const early = await new Promise<Dialog | undefined>((resolve) =>
      call.on('provisional', (p) => resolve(p.dialog)),
    );
    assert.equal(early?.state, 'early');
    const earlyEnd = new Promise<DialogEnd>((resolve) => early?.onEnded(resolve));
    let cancelled = false;
    invites[0]!.onCancel(() => {
      cancelled = true;
    });
    call.cancel('agent hung up');
    const result = await call.result;
    assert.ok(result.kind === 'failed');
    assert.equal(result.status, 487);
    assert.equal(result.cancelled, true);
    assert.ok(cancelled);
    assert.deepEqual(await earlyEnd, { by: 'local', status: 487, reason: 'Request Terminated' });
    assert.equal(alice.stats.dialogs, 0);
  });

  test('OPTIONS out of dialog goes to onRequest; rtt is measured', async () => {
    requests.length = 0;
    const result = await alice.request({
      method: 'OPTIONS',
      target: `sip:bob@127.0.0.1:${bob.address.udpPort}`,
    });
    assert.equal(result.status, 202);
    assert.ok(result.rttMs >= 0 && result.rttMs < 1000);
    assert.equal(requests[0]!.method, 'OPTIONS');
    // Alice has no onRequest: OPTIONS → 200, MESSAGE → 405.
    const back = await bob.request({
      method: 'OPTIONS',
      target: `sip:alice@127.0.0.1:${alice.address.udpPort}`,
    });
    assert.equal(back.status, 200);
    const message = await bob.request({
      method: 'MESSAGE',
      target: `sip:alice@127.0.0.1:${alice.address.udpPort}`,
      body: 'hi',
      contentType: 'text/plain',
    });
    assert.equal(message.status, 405);
    assert.ok(events.some((e) => e.kind === 'created' && e.role === 'client' && e.method === 'OPTIONS'));
  });
});

describe('closing a SipUserAgent', () => {
  test('a pending INVITE settles as a transport error; dialogs end locally', async () => {
    const ua = await SipUserAgent.start({ listen: { host: '127.0.0.1', port: 0 }, timers: TIMERS });
    const silent = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      timers: TIMERS,
      onInvite: (invite) => invite.progress(180),
    });
    try {
      const call = ua.invite({ target: `sip:x@127.0.0.1:${silent.address.udpPort}` });
      await new Promise<void>((resolve) => call.on('provisional', () => resolve()));
      await ua.close();
      const result = await call.result;
      assert.ok(result.kind === 'failed');
      assert.equal(result.transportError, true);
      assert.throws(() => ua.invite({ target: 'sip:x@127.0.0.1' }), /closed/);
    } finally {
      await silent.close();
    }
  });
});
