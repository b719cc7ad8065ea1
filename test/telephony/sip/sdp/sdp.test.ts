import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  blackHoleAnswer,
  mediaDirection,
  parseSdp,
  SdpSession,
  serializeSdp,
} from '../../../../src/telephony/sip/sdp/index.ts';

const PHONE_OFFER = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'm=video 0 RTP/AVP 31',
  '',
].join('\n');

describe('SDP', () => {
  test('parses LF bodies and serializes with CRLF, keeping every line', () => {
    const sdp = parseSdp(PHONE_OFFER);
    assert.ok(sdp);
    assert.equal(sdp.origin.username, 'alice');
    assert.equal(sdp.media.length, 2);
    assert.deepEqual(sdp.media[0]?.formats, ['0', '8', '101']);
    assert.equal(sdp.media[0]?.port, 49170);
    assert.equal(mediaDirection(sdp.media[0]?.lines ?? []), 'sendrecv');
    const text = serializeSdp(sdp);
    assert.equal(text, `${PHONE_OFFER.trimEnd().split('\n').join('\r\n')}\r\n`);
  });

  test('refuses what is not SDP', () => {
    assert.equal(parseSdp(''), undefined);
    assert.equal(parseSdp('hello'), undefined);
    assert.equal(parseSdp('v=0\r\ns=no origin\r\n'), undefined);
    assert.equal(parseSdp('v=0\r\no=a 1 1 IN IP4 h\r\nm=audio x RTP/AVP 0\r\n'), undefined);
  });

  test('black-hole answer (RFC 3725 flow IV): 0.0.0.0, inactive, one format, rejected stays rejected', () => {
    const offer = parseSdp(PHONE_OFFER);
    assert.ok(offer);
    const answer = blackHoleAnswer(offer);
    const text = serializeSdp(answer);
    assert.match(text, /\r\nc=IN IP4 0\.0\.0\.0\r\n/);
    const reparsed = parseSdp(text);
    assert.ok(reparsed);
    assert.equal(reparsed.media.length, 2, 'one answer stream per offered stream (RFC 3264 §6)');
    assert.deepEqual(reparsed.media[0]?.formats, ['0']);
    assert.equal(mediaDirection(reparsed.media[0]?.lines ?? []), 'inactive');
    assert.notEqual(reparsed.media[0]?.port, 0);
    assert.equal(reparsed.media[1]?.port, 0);
  });

  test('an SdpSession keeps one origin per peer and increments its version (RFC 3264 §8)', () => {
    const session = new SdpSession('198.51.100.1');
    const first = parseSdp(session.relay(PHONE_OFFER) ?? '');
    const second = parseSdp(session.relay(PHONE_OFFER) ?? '');
    assert.ok(first && second);
    assert.equal(first.origin.username, 'pconn');
    assert.equal(first.origin.sessionId, second.origin.sessionId);
    assert.equal(BigInt(second.origin.version), BigInt(first.origin.version) + 1n);
    assert.equal(first.origin.address, '198.51.100.1');
    assert.equal(session.relay('not sdp'), undefined);
  });
});
