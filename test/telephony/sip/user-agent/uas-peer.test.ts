import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { SipRequest } from '../../../../src/telephony/sip/message/sip-message.ts';
import { getTo } from '../../../../src/telephony/sip/message/typed-headers.ts';
import type {
  Dialog,
  DialogEnd,
  DroppedMessage,
  IncomingInvite,
} from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { delay, gaps, UdpPeer, waitFor } from '../transaction/test-peer.ts';

const TIMERS = { t1: 20, t2: 160, t4: 200 };
const SDP =
  'v=0\r\no=u 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 8 RTP/AVP 0\r\n';

/** A request from the peer as text. */
function request(
  peerPort: number,
  method: string,
  options: { branch: string; callId: string; cseq: number; toTag?: string; cseqMethod?: string },
): string {
  return (
    `${method} sip:ua@127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${peerPort};branch=z9hG4bK${options.branch};rport\r\n` +
    'Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1>;tag=peertag\r\n' +
    `To: <sip:ua@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ''}\r\n` +
    `Call-ID: ${options.callId}\r\nCSeq: ${options.cseq} ${options.cseqMethod ?? method}\r\n` +
    `Contact: <sip:peer@127.0.0.1:${peerPort}>\r\nContent-Length: 0\r\n\r\n`
  );
}

describe('SipUserAgent as UAS against a raw UDP peer (T1 = 20 ms)', () => {
  let ua: SipUserAgent;
  let peer: UdpPeer;
  let mode: 'accept' | 'ring' = 'accept';
  const invites: IncomingInvite[] = [];
  const dialogs: Dialog[] = [];
  const dropped: DroppedMessage[] = [];

  before(async () => {
    ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      timers: TIMERS,
      onDroppedMessage: (d) => dropped.push(d),
      onInvite: (invite) => {
        invites.push(invite);
        if (mode === 'accept') dialogs.push(invite.accept({ sdp: SDP }));
        else invite.progress(180);
      },
    });
    peer = await UdpPeer.open();
  });
  beforeEach(() => {
    peer.received.length = 0;
    invites.length = 0;
    dialogs.length = 0;
    mode = 'accept';
  });
  after(async () => {
    await ua.close();
    peer.close();
  });

  const send = (text: string) => peer.send(text, ua.address.udpPort!);

  test('2xx is retransmitted (T1 doubling to T2) until the ACK (RFC 3261 §13.3.1.4)', async () => {
    send(request(peer.port, 'INVITE', { branch: 'a1', callId: 'c1', cseq: 1 }));
    await waitFor(() => peer.responses(200).length >= 4, 1000, 'four copies of the 200');
    const ok = peer.responses(200)[0]!.message;
    const toTag = getTo(ok.headers)?.params.get('tag') ?? '';
    assert.ok(toTag.length > 0);
    assert.match(ok.headers.get('contact') ?? '', new RegExp(`127\\.0\\.0\\.1:${ua.address.udpPort}`));
    // Doubling from T1: copies 2-4 come 20, 60 and 140 ms after the first (a fixed T1 would
    // give 60 ms for the fourth); cumulative times are robust to jitter on a loaded machine.
    const copies = peer.responses(200);
    assert.ok(copies[3]!.at - copies[0]!.at >= 110, `doubling: ${gaps(copies)}`);
    let acked = false;
    dialogs[0]!.onAck(() => {
      acked = true;
    });
    send(request(peer.port, 'ACK', { branch: 'a2', callId: 'c1', cseq: 1, toTag }));
    await waitFor(() => acked);
    const count = peer.responses(200).length;
    await delay(200);
    assert.equal(peer.responses(200).length, count, 'no 200 after the ACK');

    // In-dialog: a lower CSeq is refused with 500 (§12.2.2); BYE ends the dialog.
    const ended = new Promise<DialogEnd>((resolve) => dialogs[0]!.onEnded(resolve));
    send(request(peer.port, 'INFO', { branch: 'a3', callId: 'c1', cseq: 5, toTag }));
    send(request(peer.port, 'INFO', { branch: 'a4', callId: 'c1', cseq: 4, toTag }));
    await waitFor(() => peer.responses(500).length === 1);
    send(request(peer.port, 'BYE', { branch: 'a5', callId: 'c1', cseq: 6, toTag }));
    assert.deepEqual(await ended, { by: 'remote' });
    assert.equal(ua.stats.dialogs, 0);
  });

  test('no ACK within 64*T1: the UA hangs up with BYE', async () => {
    send(request(peer.port, 'INVITE', { branch: 'b1', callId: 'c2', cseq: 1 }));
    await waitFor(() => peer.requests('BYE').length >= 1, 3000, 'BYE after the ACK timeout');
    const bye = peer.requests('BYE')[0]!.message as SipRequest;
    assert.equal(bye.uri, `sip:peer@127.0.0.1:${peer.port}`, 'sent to the Contact of the INVITE');
    assert.match(bye.headers.get('from') ?? '', /tag=/);
    assert.match(bye.headers.get('to') ?? '', /;tag=peertag/);
  });

  test('CANCEL of a ringing INVITE: 200 for the CANCEL, 487 for the INVITE (§9.2)', async () => {
    mode = 'ring';
    send(request(peer.port, 'INVITE', { branch: 'c1', callId: 'c3', cseq: 1 }));
    await waitFor(() => peer.responses(180).length === 1);
    let cancelled = false;
    invites[0]!.onCancel(() => {
      cancelled = true;
    });
    send(request(peer.port, 'CANCEL', { branch: 'c1', callId: 'c3', cseq: 1 }));
    await waitFor(() => peer.responses(200).length === 1 && peer.responses(487).length >= 1);
    assert.ok(cancelled);
    assert.throws(() => invites[0]!.accept({ sdp: SDP }), /already answered/);
  });

  test('INVITE requiring an extension gets 420; garbage is dropped and counted', async () => {
    const requiring = request(peer.port, 'INVITE', { branch: 'd1', callId: 'c4', cseq: 1 }).replace(
      'Content-Length',
      'Require: 100rel\r\nContent-Length',
    );
    send(requiring);
    await waitFor(() => peer.responses(420).length >= 1);
    assert.equal(peer.responses(420)[0]!.message.headers.get('unsupported'), '100rel');
    const before = ua.stats.dropped;
    send('NOT SIP AT ALL\r\n\r\n');
    await waitFor(() => ua.stats.dropped === before + 1);
    assert.equal(dropped.at(-1)!.answered, false);
  });
});

describe('application handlers that throw', () => {
  test('an exception before answering becomes 500; the UA keeps working', async () => {
    const ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      timers: TIMERS,
      onInvite: () => {
        throw new Error('app bug');
      },
      onRequest: () => {
        throw new Error('app bug');
      },
    });
    const peer = await UdpPeer.open();
    try {
      peer.send(request(peer.port, 'INVITE', { branch: 'e1', callId: 'e1', cseq: 1 }), ua.address.udpPort!);
      peer.send(request(peer.port, 'MESSAGE', { branch: 'e2', callId: 'e2', cseq: 1 }), ua.address.udpPort!);
      const methods = () => new Set(peer.responses(500).map((r) => r.message.headers.get('cseq')));
      await waitFor(() => methods().size === 2);
      assert.equal(peer.responses(100).length, 0, 'answered before the 100 Trying timer');
    } finally {
      peer.close();
      await ua.close();
    }
  });
});
