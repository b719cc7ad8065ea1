import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  audioAnswer,
  audioOffer,
  parseSdp,
  readAudioAnswer,
  serializeSdp,
} from '../../../../src/telephony/sip/sdp/index.ts';

const local = { address: '203.0.113.10', port: 20000 };

/** A phone's offer with the given m= lines and attributes. */
function offer(lines: string[]) {
  const sdp = parseSdp(
    ['v=0', 'o=phone 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', ...lines, ''].join(
      '\r\n',
    ),
  );
  assert.ok(sdp, 'offer parses');
  return sdp;
}

describe('SDP offer/answer for one G.711 audio stream (RFC 3264)', () => {
  test('our offer lists PCMU, PCMA and telephone-event with 20 ms packets and parses back', () => {
    const text = serializeSdp(audioOffer(local));
    assert.match(text, /^m=audio 20000 RTP\/AVP 0 8 101\r$/m);
    assert.match(text, /^c=IN IP4 203\.0\.113\.10\r$/m);
    for (const line of [
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      'a=sendrecv',
    ]) {
      assert.ok(text.includes(`${line}\r\n`), `offer has ${line}`);
    }
    assert.ok(parseSdp(text), 'our offer parses');
  });

  test('answering picks our first codec the peer offered and keeps its event payload type', () => {
    const result = audioAnswer(
      offer(['m=audio 4000 RTP/AVP 8 0 96', 'a=rtpmap:96 telephone-event/8000', 'a=fmtp:96 0-16']),
      local,
    );
    assert.ok(result, 'answered');
    assert.deepEqual(result.audio, {
      address: '198.51.100.7',
      port: 4000,
      codec: 'PCMU',
      payloadType: 0,
      eventPayloadType: 96,
      direction: 'sendrecv',
    });
    const text = serializeSdp(result.answer);
    assert.match(text, /^m=audio 20000 RTP\/AVP 0 96\r$/m);
    assert.match(text, /^a=rtpmap:96 telephone-event\/8000\r$/m);
  });

  test('other streams are refused with port 0, media-level c= wins, directions mirror', () => {
    const result = audioAnswer(
      offer([
        'm=video 5000 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'm=audio 4002 RTP/AVP 8',
        'c=IN IP4 192.0.2.55',
        'a=sendonly',
      ]),
      { ...local, codecs: ['PCMU', 'PCMA'] },
    );
    assert.ok(result, 'answered');
    assert.equal(result.audio.address, '192.0.2.55');
    assert.equal(result.audio.codec, 'PCMA');
    assert.equal(result.audio.eventPayloadType, undefined);
    assert.equal(result.audio.direction, 'recvonly');
    assert.deepEqual(
      result.answer.media.map((m) => [m.media, m.port]),
      [
        ['video', 0],
        ['audio', 20000],
      ],
    );
    assert.match(serializeSdp(result.answer), /^a=recvonly\r$/m);
  });

  test('no G.711 over RTP/AVP on offer: no answer (the caller sends 488)', () => {
    assert.equal(audioAnswer(offer(['m=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000']), local), undefined);
    assert.equal(audioAnswer(offer(['m=audio 4000 RTP/SAVP 0']), local), undefined);
    assert.equal(audioAnswer(offer(['m=audio 0 RTP/AVP 0']), local), undefined);
  });

  test('a dynamic payload type named PCMA is recognised by its rtpmap', () => {
    const result = audioAnswer(offer(['m=audio 4000 RTP/AVP 97', 'a=rtpmap:97 PCMA/8000']), {
      ...local,
      codecs: ['PCMA'],
    });
    assert.equal(result?.audio.payloadType, 97);
  });

  test("reading the answer to our offer: the answerer's first supported format is what it sends", () => {
    const answer = offer(['m=audio 4100 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000']);
    assert.deepEqual(readAudioAnswer(answer, local), {
      address: '198.51.100.7',
      port: 4100,
      codec: 'PCMA',
      payloadType: 8,
      eventPayloadType: 101,
      direction: 'sendrecv',
    });
  });
});
