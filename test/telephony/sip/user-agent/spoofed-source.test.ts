import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize-message.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/sip-message.ts';
import { getCallId, getFrom, getTo } from '../../../../src/telephony/sip/message/typed-headers.ts';
import type { Dialog, DialogEnd, DroppedMessage } from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { UdpPeer, waitFor } from '../transaction/test-peer.ts';

/*
 * Issue 14: a BYE or a 486 forged from another address ended a call when its Call-ID and tags
 * had been observed. Over real UDP sockets, the same messages from another port of the same
 * host are now dropped (and counted) while the genuine peer's still work.
 */

const TIMERS = { t1: 40, t2: 320, t4: 400 };
const SDP =
  'v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

describe('in-dialog requests and responses only from the peer (UDP)', () => {
  let ua: SipUserAgent;
  let peer: UdpPeer;
  let attacker: UdpPeer;
  const dropped: DroppedMessage[] = [];
  let incoming: ((dialog: Dialog) => void) | undefined;

  before(async () => {
    ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      timers: TIMERS,
      onDroppedMessage: (d) => dropped.push(d),
      onInvite: (invite) => incoming?.(invite.accept({ sdp: SDP })),
    });
    peer = await UdpPeer.open();
    attacker = await UdpPeer.open();
  });
  beforeEach(() => {
    peer.received.length = 0;
    attacker.received.length = 0;
    dropped.length = 0;
  });
  after(async () => {
    await ua.close();
    peer.close();
    attacker.close();
  });

  const lastInvite = () => peer.requests('INVITE').at(-1)!.message as SipRequest;

  /** A BYE in the dialog of `invite` (sent by us, pconn the UAC), as the callee would send it. */
  function byeFromCallee(invite: SipRequest, from: UdpPeer, branch: string): string {
    const h = invite.headers;
    return [
      `BYE sip:pconn@127.0.0.1:${ua.address.udpPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${from.port};branch=z9hG4bK${branch};rport`,
      `From: <sip:peer@127.0.0.1>;tag=peertag`,
      `To: <sip:pconn@127.0.0.1>;tag=${getFrom(h)?.params.get('tag')}`,
      `Call-ID: ${getCallId(h)}`,
      'CSeq: 7 BYE',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  async function answeredCall(): Promise<Dialog> {
    const call = ua.invite({ target: `sip:peer@127.0.0.1:${peer.port}`, sdp: SDP });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    const ok = createResponse(lastInvite(), 200, { toTag: 'peertag' });
    ok.headers.append('Contact', `<sip:peer@127.0.0.1:${peer.port}>`);
    peer.send(serializeMessage(ok), ua.address.udpPort!);
    const result = await call.result;
    assert.ok(result.kind === 'answered', `answered, got ${result.kind}`);
    return result.dialog;
  }

  test('a BYE from another port is dropped and the call stays up; the genuine BYE ends it', async () => {
    const dialog = await answeredCall();
    const ended: DialogEnd[] = [];
    dialog.onEnded((end) => ended.push(end));
    const invite = lastInvite();
    attacker.send(byeFromCallee(invite, attacker, 'spoof1'), ua.address.udpPort!);
    await waitFor(() => dropped.length === 1, 3000, 'the forged BYE is dropped');
    assert.equal(dropped[0]!.kind, 'spoofed_source');
    assert.equal(dropped[0]!.source.port, attacker.port);
    assert.equal(dialog.state, 'confirmed', 'the call is still up');
    assert.equal(attacker.received.length, 0, 'nothing is sent back to the forged source');
    peer.send(byeFromCallee(invite, peer, 'real1'), ua.address.udpPort!);
    await waitFor(
      () => ended.length === 1 && peer.responses(200).length >= 1,
      3000,
      'the genuine BYE ends it',
    );
    assert.equal(ended[0]!.by, 'remote');
  });

  test('a 486 from another port does not end our INVITE; the peer’s 200 still answers it', async () => {
    const call = ua.invite({ target: `sip:peer@127.0.0.1:${peer.port}`, sdp: SDP });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    const busy = createResponse(lastInvite(), 486, { toTag: 'forged' });
    attacker.send(serializeMessage(busy), ua.address.udpPort!);
    await waitFor(() => dropped.length === 1, 3000, 'the forged 486 is dropped');
    assert.equal(dropped[0]!.kind, 'spoofed_source');
    const ok = createResponse(lastInvite(), 200, { toTag: 'peertag' });
    ok.headers.append('Contact', `<sip:peer@127.0.0.1:${peer.port}>`);
    peer.send(serializeMessage(ok), ua.address.udpPort!);
    const result = await call.result;
    assert.equal(result.kind, 'answered', 'the forged 486 did not fail the call');
    assert.ok(result.kind === 'answered');
    const bye = result.dialog.bye();
    await waitFor(() => peer.requests('BYE').length >= 1);
    peer.send(
      serializeMessage(createResponse(peer.requests('BYE').at(-1)!.message as SipRequest, 200)),
      ua.address.udpPort!,
    );
    await bye;
  });

  test('a dialog we answered (UAS) takes in-dialog requests only from where its INVITE came from', async () => {
    const answered = new Promise<Dialog>((resolve) => {
      incoming = resolve;
    });
    const callId = `uas-${Date.now()}@peer`;
    const invite = (from: UdpPeer, branch: string, method: string, cseq: number, toTag = '') =>
      [
        `${method} sip:pconn@127.0.0.1:${ua.address.udpPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${from.port};branch=z9hG4bK${branch};rport`,
        'From: <sip:peer@127.0.0.1>;tag=callertag',
        `To: <sip:pconn@127.0.0.1>${toTag ? `;tag=${toTag}` : ''}`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
        `Contact: <sip:peer@127.0.0.1:${peer.port}>`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    peer.send(invite(peer, 'uasinv', 'INVITE', 1), ua.address.udpPort!);
    const dialog = await answered;
    const ended: DialogEnd[] = [];
    dialog.onEnded((end) => ended.push(end));
    await waitFor(() => peer.responses(200).length >= 1);
    const toTag = getTo(peer.responses(200)[0]!.message.headers)?.params.get('tag') ?? '';
    peer.send(invite(peer, 'uasack', 'ACK', 1, toTag), ua.address.udpPort!);
    attacker.send(invite(attacker, 'uasspoof', 'BYE', 2, toTag), ua.address.udpPort!);
    await waitFor(() => dropped.length === 1, 3000, 'the forged BYE is dropped');
    assert.equal(dialog.state, 'confirmed', 'the call is still up');
    peer.send(invite(peer, 'uasbye', 'BYE', 3, toTag), ua.address.udpPort!);
    await waitFor(() => ended.length === 1, 3000, 'the genuine BYE ends it');
    assert.equal(ended[0]!.by, 'remote');
  });
});
