import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { buildChallenge } from '../../../../src/telephony/sip/auth/digest-challenge.ts';
import { parseDigestCredentials } from '../../../../src/telephony/sip/auth/digest-credentials.ts';
import { DigestNonces } from '../../../../src/telephony/sip/auth/digest-nonce.ts';
import { verifyDigest } from '../../../../src/telephony/sip/auth/verify-digest.ts';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize-message.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/sip-message.ts';
import { getCSeq, getRoutes, getTo, getTopVia } from '../../../../src/telephony/sip/message/typed-headers.ts';
import type { Dialog, DialogEnd } from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { delay, UdpPeer, waitCollected, waitFor } from '../transaction/test-peer.ts';

// T1 = 40 ms: small enough to run Timer B (64·T1) in 2.6 s, large enough that a loaded CI machine does
// not retransmit before the peer answers (20 ms flaked once under load).
const TIMERS = { t1: 40, t2: 320, t4: 400 };
const SDP =
  'v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

describe('SipUserAgent against a raw UDP peer (T1 = 40 ms)', () => {
  let ua: SipUserAgent;
  let peer: UdpPeer;

  before(async () => {
    ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      timers: TIMERS,
    });
    peer = await UdpPeer.open();
  });
  beforeEach(() => {
    peer.received.length = 0;
  });
  after(async () => {
    await ua.close();
    peer.close();
  });

  const target = () => `sip:peer@127.0.0.1:${peer.port}`;
  const last = (method: string) => peer.requests(method).at(-1)!.message as SipRequest;
  /** Requests of `method` counted by branch, so that UDP retransmissions count once. */
  const distinct = (method: string) =>
    new Set(peer.requests(method).map((r) => getTopVia(r.message.headers)?.params.get('branch'))).size;

  /** Answers the last `method` request with `status`, optionally with extra headers and SDP. */
  function reply(
    method: string,
    status: number,
    headers: Array<[string, string]> = [],
    body?: string,
    toTag = 'peertag',
  ): void {
    const response = createResponse(last(method), status, { toTag });
    for (const [name, value] of headers) response.headers.append(name, value);
    if (body) {
      response.headers.append('Content-Type', 'application/sdp');
      response.body = Buffer.from(body);
    }
    peer.send(serializeMessage(response), ua.address.udpPort!);
  }
  const withContact = (): Array<[string, string]> => [['Contact', `<sip:peer@127.0.0.1:${peer.port}>`]];

  /**
   * A call answered and ended by our BYE (the test's first), made in here so that nothing but
   * the user agent can keep it once this returns: weak references to the call and its dialog.
   */
  async function endedCall(): Promise<{ call: WeakRef<object>; dialog: WeakRef<object> }> {
    const call = ua.invite({ target: target(), sdp: SDP });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    reply('INVITE', 200, withContact(), SDP);
    const result = await call.result;
    assert.ok(result.kind === 'answered');
    const bye = result.dialog.bye();
    await waitFor(() => distinct('BYE') === 1);
    reply('BYE', 200);
    await bye;
    return { call: new WeakRef(call), dialog: new WeakRef(result.dialog) };
  }

  test('the 2xx is ACKed outside the transaction, and again for each retransmitted 2xx', async () => {
    const call = ua.invite({ target: target(), sdp: SDP });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    reply('INVITE', 200, withContact(), SDP);
    const result = await call.result;
    assert.equal(result.kind, 'answered');
    await waitFor(() => peer.requests('ACK').length === 1);
    const invite = last('INVITE');
    const ack = last('ACK');
    assert.notEqual(
      getTopVia(ack.headers)?.params.get('branch'),
      getTopVia(invite.headers)?.params.get('branch'),
    );
    assert.equal(getCSeq(ack.headers)?.seq, getCSeq(invite.headers)?.seq);
    assert.equal(ack.uri, `sip:peer@127.0.0.1:${peer.port}`, 'Request-URI is the remote target');
    reply('INVITE', 200, withContact(), SDP);
    reply('INVITE', 200, withContact(), SDP);
    await waitFor(() => peer.requests('ACK').length === 3, 1000, 'one ACK per 2xx');
    assert.ok(result.kind === 'answered');
    const bye = result.dialog.bye();
    await waitFor(() => distinct('BYE') === 1);
    reply('BYE', 200);
    await bye;
  });

  test('a 2xx from a second fork is ACKed and ended with BYE; the first dialog stays', async () => {
    const call = ua.invite({ target: target(), sdp: SDP });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    reply('INVITE', 200, withContact(), SDP);
    const result = await call.result;
    assert.ok(result.kind === 'answered');
    reply('INVITE', 200, withContact(), SDP, 'fork2');
    await waitFor(() => peer.requests('ACK').length === 2 && distinct('BYE') === 1);
    const toTags = peer.requests('ACK').map((r) => getTo(r.message.headers)?.params.get('tag'));
    assert.deepEqual(toTags, ['peertag', 'fork2']);
    assert.equal(getTo(last('BYE').headers)?.params.get('tag'), 'fork2');
    reply('BYE', 200, [], undefined, 'fork2');
    assert.equal(result.dialog.state, 'confirmed');
    const bye = result.dialog.bye();
    await waitFor(() => distinct('BYE') === 2);
    reply('BYE', 200);
    await bye;
  });

  test('an ended call is not kept for its forks: a late fork is still ACKed and ended', async () => {
    const refs = await endedCall();
    // The fork memory lasts 64·T1 (2.56 s here) and must not hold the call meanwhile.
    await waitCollected(
      [refs.dialog, refs.call],
      2000,
      'the ended call collected while its INVITE is remembered for forks',
    );
    reply('INVITE', 200, withContact(), SDP, 'late');
    const tagged = (method: string) =>
      peer.requests(method).some((r) => getTo(r.message.headers)?.params.get('tag') === 'late');
    await waitFor(() => tagged('ACK') && tagged('BYE'), 3000, 'the late fork ACKed and ended');
    reply('BYE', 200, [], undefined, 'late');
  });

  test('an ended call is not kept by its BYE transaction while Timer K absorbs retransmissions', async () => {
    const { dialog } = await endedCall();
    // Well inside Timer K (T4, 400 ms here): the BYE's client transaction lives on to absorb a
    // retransmitted 200, and holds nothing of the call while it does (a turn or two of the
    // event loop lets the BYE's own promise settle first).
    await waitCollected([dialog], 200, 'the dialog collected while its BYE transaction is in Timer K');
    reply('BYE', 200);
  });

  test('re-INVITE glare: a peer re-INVITE crossing ours gets 491 (RFC 3261 §14.2)', async () => {
    const call = ua.invite({ target: target(), sdp: SDP });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    reply('INVITE', 200, withContact(), SDP);
    const result = await call.result;
    assert.ok(result.kind === 'answered');
    const ours = result.dialog.reinvite({ sdp: SDP });
    await waitFor(() => distinct('INVITE') === 2);
    const invite = last('INVITE');
    const theirs =
      `INVITE sip:pconn@127.0.0.1:${ua.address.udpPort} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKglare1\r\n` +
      `Max-Forwards: 70\r\nFrom: ${invite.headers.get('to')}\r\nTo: ${invite.headers.get('from')}\r\n` +
      `Call-ID: ${invite.headers.get('call-id')}\r\nCSeq: 10 INVITE\r\n` +
      `Contact: <sip:peer@127.0.0.1:${peer.port}>\r\nContent-Length: 0\r\n\r\n`;
    peer.send(theirs, ua.address.udpPort!);
    await waitFor(() => peer.responses(491).length >= 1);
    reply('INVITE', 491);
    assert.equal((await ours).status, 491, 'our re-INVITE meets 491 too; the caller retries later');
    assert.equal(result.dialog.state, 'confirmed');
    const bye = result.dialog.bye();
    await waitFor(() => distinct('BYE') === 1);
    reply('BYE', 200);
    await bye;
  });

  test('early dialogs per To tag; the 2xx confirms its own, the other fork is ended', async () => {
    const call = ua.invite({ target: target(), sdp: SDP });
    const early: Dialog[] = [];
    call.on('provisional', (p) => {
      if (p.dialog) early.push(p.dialog);
    });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    reply('INVITE', 180, withContact(), undefined, 'forkA');
    reply('INVITE', 183, withContact(), SDP, 'forkB');
    reply('INVITE', 180, withContact(), undefined, 'forkB');
    await waitFor(() => early.length === 3);
    assert.notEqual(early[0], early[1]);
    assert.equal(early[1], early[2], 'same tag, same early dialog');
    const endedA = new Promise<DialogEnd>((resolve) => early[0]!.onEnded(resolve));
    reply(
      'INVITE',
      200,
      [['Record-Route', `<sip:127.0.0.1:${peer.port};lr>`], ...withContact()],
      SDP,
      'forkB',
    );
    const result = await call.result;
    assert.ok(result.kind === 'answered');
    assert.equal(result.dialog, early[1]);
    assert.equal(result.dialog.state, 'confirmed');
    assert.equal((await endedA).by, 'remote');
    await waitFor(() => peer.requests('ACK').length === 1);
    assert.equal(getRoutes(last('ACK').headers)?.length, 1, 'route set recomputed from the 2xx');
    const bye = result.dialog.bye();
    await waitFor(() => distinct('BYE') === 1);
    reply('BYE', 200, [], undefined, 'forkB');
    await bye;
  });

  test('Record-Route: ACK and BYE go through the route set (loose routing)', async () => {
    const call = ua.invite({ target: target() });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    // The peer acts as a record-routing proxy; the callee's Contact is elsewhere.
    reply('INVITE', 200, [
      ['Record-Route', `<sip:127.0.0.1:${peer.port};lr>`],
      ['Contact', '<sip:callee@127.0.0.1:9>'],
    ]);
    const result = await call.result;
    assert.ok(result.kind === 'answered');
    await waitFor(() => peer.requests('ACK').length === 1);
    const ack = last('ACK');
    assert.equal(ack.uri, 'sip:callee@127.0.0.1:9');
    assert.equal(getRoutes(ack.headers)?.length, 1);
    const bye = result.dialog.bye();
    await waitFor(() => distinct('BYE') === 1);
    assert.equal(last('BYE').uri, 'sip:callee@127.0.0.1:9');
    assert.equal(getCSeq(last('BYE').headers)?.seq, getCSeq(ack.headers)!.seq + 1);
    reply('BYE', 200);
    await bye;
  });

  test('Timer B: an unanswered INVITE fails as a timeout (408)', async () => {
    const started = Date.now();
    const result = await ua.invite({ target: target() }).result;
    assert.ok(result.kind === 'failed');
    assert.equal(result.status, 408);
    assert.equal(result.timeout, true);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 64 * TIMERS.t1 - 5 && elapsed < 64 * TIMERS.t1 + 400, `${elapsed} ms`);
    assert.ok(peer.requests('INVITE').length >= 6, 'Timer A retransmitted');
  });

  test('cancel before any provisional waits for one (RFC 3261 §9.1)', async () => {
    const call = ua.invite({ target: target() });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    call.cancel();
    await delay(80);
    assert.equal(peer.requests('CANCEL').length, 0);
    reply('INVITE', 180, withContact());
    await waitFor(() => distinct('CANCEL') === 1);
    const cancel = last('CANCEL');
    assert.equal(
      getTopVia(cancel.headers)?.params.get('branch'),
      getTopVia(last('INVITE').headers)?.params.get('branch'),
    );
    assert.equal(cancel.uri, last('INVITE').uri);
    reply('CANCEL', 200);
    reply('INVITE', 487);
    const result = await call.result;
    assert.ok(result.kind === 'failed');
    assert.equal(result.status, 487);
    assert.equal(result.cancelled, true);
    await waitFor(() => peer.requests('ACK').length === 1, 1000, 'the 487 is ACKed by the transaction');
  });

  test('a 2xx racing the CANCEL is ACKed and then ended with BYE', async () => {
    const call = ua.invite({ target: target(), sdp: SDP });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    reply('INVITE', 180, withContact());
    await delay(20);
    call.cancel();
    await waitFor(() => distinct('CANCEL') === 1);
    reply('CANCEL', 200);
    reply('INVITE', 200, withContact(), SDP);
    const result = await call.result;
    assert.ok(result.kind === 'failed');
    assert.equal(result.cancelled, true);
    await waitFor(() => peer.requests('ACK').length === 1 && distinct('BYE') === 1);
    reply('BYE', 200);
  });

  test('digest: a 407 challenge is answered once, verifiable by the server', async () => {
    const nonces = new DigestNonces({ secret: 'a-secret-of-sufficient-length' });
    const call = ua.invite({
      target: target(),
      sdp: SDP,
      credentials: { username: 'trunkuser', password: 's3cret' },
    });
    await waitFor(() => peer.requests('INVITE').length >= 1);
    reply('INVITE', 407, [['Proxy-Authenticate', buildChallenge({ realm: 'trunk', nonce: nonces.issue() })]]);
    await waitFor(() => peer.requests('INVITE').some((r) => r.message.headers.has('proxy-authorization')));
    const retry = last('INVITE');
    assert.equal(getCSeq(retry.headers)?.seq, 2);
    assert.equal(retry.headers.get('call-id'), peer.requests('INVITE')[0]!.message.headers.get('call-id'));
    const credentials = parseDigestCredentials(retry.headers.get('proxy-authorization')!);
    assert.ok(credentials);
    assert.equal(credentials.algorithm, 'SHA-256');
    const verdict = verifyDigest({
      credentials,
      method: 'INVITE',
      realm: 'trunk',
      nonces,
      password: 's3cret',
    });
    assert.deepEqual(verdict, { ok: true, username: 'trunkuser' });
    // A second challenge is not answered again: it is the call's failure.
    reply('INVITE', 407, [
      ['Proxy-Authenticate', buildChallenge({ realm: 'trunk', nonce: nonces.issue(), algorithm: 'MD5' })],
    ]);
    const result = await call.result;
    assert.ok(result.kind === 'failed');
    assert.equal(result.status, 407);
    const seqs = new Set(peer.requests('INVITE').map((r) => getCSeq(r.message.headers)?.seq));
    assert.deepEqual([...seqs], [1, 2], 'one retry only');
  });

  test('OPTIONS keep-alive answered by 401 then 200 with MD5 credentials', async () => {
    const nonces = new DigestNonces({ secret: 'another-secret-of-good-length' });
    const pending = ua.request({
      method: 'OPTIONS',
      target: target(),
      credentials: { username: 'u', password: 'p' },
    });
    await waitFor(() => peer.requests('OPTIONS').length >= 1);
    reply('OPTIONS', 401, [
      ['WWW-Authenticate', buildChallenge({ realm: 'r', nonce: nonces.issue(), algorithm: 'MD5' })],
    ]);
    await waitFor(() => peer.requests('OPTIONS').some((r) => r.message.headers.has('authorization')));
    const credentials = parseDigestCredentials(last('OPTIONS').headers.get('authorization')!)!;
    assert.equal(
      verifyDigest({ credentials, method: 'OPTIONS', realm: 'r', nonces, password: 'p' }).ok,
      true,
    );
    reply('OPTIONS', 200);
    const result = await pending;
    assert.equal(result.status, 200);
  });

  test('an in-dialog request for an unknown dialog gets 481; unknown CANCEL gets 481', async () => {
    const text = (method: string) =>
      `${method} sip:ua@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK${method}x1;rport\r\n` +
      'Max-Forwards: 70\r\nFrom: <sip:p@x>;tag=a\r\nTo: <sip:ua@x>;tag=nope\r\nCall-ID: unknown@x\r\n' +
      `CSeq: 5 ${method}\r\nContent-Length: 0\r\n\r\n`;
    peer.send(text('BYE'), ua.address.udpPort!);
    peer.send(text('CANCEL'), ua.address.udpPort!);
    await waitFor(() => peer.responses(481).length === 2);
  });
});
