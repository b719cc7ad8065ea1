import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Dialog, DialogEnd, IncomingInvite } from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { waitFor } from '../transaction/test-peer.ts';

const TIMERS = { t1: 50, t2: 400, t4: 500 };
const sdp = (port: number) =>
  `v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\n`;

describe('dialogs between two agents: re-INVITE, BYE both ways, deferred ACK, INFO', () => {
  let caller: SipUserAgent;
  let callee: SipUserAgent;
  let incoming: IncomingInvite[] = [];
  let calleeDialogs: Dialog[] = [];
  let calleeAcks: Array<string | undefined> = [];

  before(async () => {
    caller = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      timers: TIMERS,
      ackTimeoutMs: 400,
    });
    callee = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      timers: TIMERS,
      onInvite: (invite) => {
        incoming.push(invite);
        // Offerless INVITE: our 200 carries the offer; else answer.
        const dialog = invite.accept({ sdp: sdp(invite.sdp ? 6000 : 7000) });
        dialog.onAck((body) => calleeAcks.push(body));
        calleeDialogs.push(dialog);
      },
    });
  });
  beforeEach(() => {
    incoming = [];
    calleeDialogs = [];
    calleeAcks = [];
  });
  after(async () => {
    await caller.close();
    await callee.close();
  });

  const target = () => `sip:callee@127.0.0.1:${callee.address.udpPort}`;

  async function connect(
    options: { sdp?: string; deferAck?: boolean } = { sdp: sdp(4000) },
  ): Promise<Dialog> {
    const result = await caller.invite({ target: target(), ...options }).result;
    assert.ok(result.kind === 'answered', 'answered');
    return result.dialog;
  }

  test('BYE from the callee ends both sides', async () => {
    const dialog = await connect();
    const ended = new Promise<DialogEnd>((resolve) => dialog.onEnded(resolve));
    await waitFor(() => calleeAcks.length === 1);
    await calleeDialogs[0]!.bye();
    assert.deepEqual(await ended, { by: 'remote' });
    assert.equal(dialog.state, 'terminated');
    assert.equal(caller.stats.dialogs, 0);
    // A request on the dead dialog is refused locally.
    assert.equal((await dialog.request('INFO')).status, 481);
  });

  test('re-INVITE from the caller: new offer answered by the handler, ACKed', async () => {
    const dialog = await connect();
    await waitFor(() => calleeAcks.length === 1);
    const offers: Array<string | undefined> = [];
    calleeDialogs[0]!.onReinvite((offer) => {
      offers.push(offer);
      return sdp(6100);
    });
    const result = await dialog.reinvite({ sdp: sdp(4100) });
    assert.equal(result.status, 200);
    assert.equal(result.sdp, sdp(6100));
    assert.deepEqual(offers, [sdp(4100)]);
    assert.equal(dialog.remoteSdp, sdp(6100));
    await waitFor(() => calleeAcks.length === 2, 1000, 'ACK of the re-INVITE');
    await dialog.bye();
  });

  test('re-INVITE from the callee without handler gets the last local SDP; 488 when refused', async () => {
    const dialog = await connect();
    await waitFor(() => calleeAcks.length === 1);
    const first = await calleeDialogs[0]!.reinvite({ sdp: sdp(6200) });
    assert.equal(first.status, 200);
    assert.equal(first.sdp, sdp(4000), 'the caller answered with its last SDP');
    assert.equal(dialog.remoteSdp, sdp(6200));
    dialog.onReinvite(() => null);
    const second = await calleeDialogs[0]!.reinvite({ sdp: sdp(6300) });
    assert.equal(second.status, 488);
    await calleeDialogs[0]!.bye();
  });

  test('3PCC flow: offerless INVITE, deferred ACK carries the answer', async () => {
    const call = caller.invite({ target: target(), deferAck: true });
    const result = await call.result;
    assert.ok(result.kind === 'answered');
    assert.equal(result.sdp, sdp(7000), 'the 2xx carries the offer');
    assert.equal(result.dialog.ackPending, true);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(calleeAcks.length, 0, 'no ACK until the caller sends it');
    result.dialog.ack(sdp(4400));
    await waitFor(() => calleeAcks.length === 1);
    assert.equal(calleeAcks[0], sdp(4400));
    assert.equal(result.dialog.ackPending, false);

    // Offerless re-INVITE with deferAck: the ACK again carries the answer.
    const re = await result.dialog.reinvite({ deferAck: true });
    assert.equal(re.status, 200);
    assert.equal(re.sdp, sdp(7000), 'the callee offers its last SDP again');
    assert.equal(result.dialog.ackPending, true);
    result.dialog.ack(sdp(4500));
    await waitFor(() => calleeAcks.length === 2);
    assert.equal(calleeAcks[1], sdp(4500));
    await result.dialog.bye();
  });

  test('a deferred ACK never sent: the UA ACKs empty and hangs up after ackTimeoutMs', async () => {
    const result = await caller.invite({ target: target(), deferAck: true }).result;
    assert.ok(result.kind === 'answered');
    const ended = new Promise<DialogEnd>((resolve) => result.dialog.onEnded(resolve));
    const end = await ended;
    assert.equal(end.by, 'local');
    assert.equal(end.status, 200);
    assert.deepEqual(calleeAcks, [undefined]);
  });

  test('INFO in dialog gets 200; glare on re-INVITE is refused locally', async () => {
    const dialog = await connect();
    await waitFor(() => calleeAcks.length === 1);
    const info = await dialog.request('INFO', { body: 'Signal=1', contentType: 'application/dtmf-relay' });
    assert.equal(info.status, 200);
    calleeDialogs[0]!.onReinvite(() => new Promise((r) => setTimeout(() => r(sdp(6400)), 100)));
    const pending = dialog.reinvite({ sdp: sdp(4600) });
    await assert.rejects(dialog.reinvite({ sdp: sdp(4700) }), /in progress/);
    assert.equal((await pending).status, 200);
    await dialog.bye();
  });
});
