import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRtcp, serializeRtcp } from '../../../src/telephony/rtp/rtcp-packet.ts';
import { parseRtp, serializeRtp } from '../../../src/telephony/rtp/rtp-packet.ts';

const payload = Uint8Array.from({ length: 160 }, (_, i) => i);

describe('RTP packets (RFC 3550 §5.1)', () => {
  test('serialize then parse gives the same fields', () => {
    const data = serializeRtp({
      payloadType: 8,
      marker: true,
      sequence: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      payload,
    });
    assert.equal(data.length, 172);
    assert.equal(data[0], 0x80);
    const parsed = parseRtp(data);
    assert.ok(parsed.ok, 'parsed');
    assert.equal(parsed.packet.payloadType, 8);
    assert.equal(parsed.packet.marker, true);
    assert.equal(parsed.packet.sequence, 65535);
    assert.equal(parsed.packet.timestamp, 0xfffffff0);
    assert.equal(parsed.packet.ssrc, 0xdeadbeef);
    assert.deepEqual([...parsed.packet.payload], [...payload]);
  });

  test('CSRCs, a header extension and padding are skipped to the payload', () => {
    const header = [0x80 | 0x20 | 0x10 | 2, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
    const csrcs = [0, 0, 0, 7, 0, 0, 0, 9];
    const extension = [0xbe, 0xde, 0, 1, 1, 2, 3, 4];
    const body = [0xaa, 0xbb];
    const padding = [0, 0, 3];
    const parsed = parseRtp(Uint8Array.from([...header, ...csrcs, ...extension, ...body, ...padding]));
    assert.ok(parsed.ok, 'parsed');
    assert.deepEqual(parsed.packet.csrcs, [7, 9]);
    assert.deepEqual([...parsed.packet.payload], body);
  });

  test('bad datagrams come back as reasons, never as exceptions', () => {
    const good = serializeRtp({ payloadType: 0, sequence: 1, timestamp: 1, ssrc: 1, payload });
    const cases: Array<[string, Uint8Array]> = [
      ['short', good.subarray(0, 11)],
      ['too-large', new Uint8Array(1501).fill(0x80)],
      ['version', Uint8Array.from([0x40, ...good.subarray(1)])],
      ['bad-length', Uint8Array.from([0x8f, ...good.subarray(1, 20)])],
      ['bad-length', Uint8Array.from([0x90, ...good.subarray(1, 12), 0, 0, 0, 200])],
      ['bad-padding', Uint8Array.from([0xa0, ...good.subarray(1, 14), 0])],
      ['bad-padding', Uint8Array.from([0xa0, ...good.subarray(1, 14), 200])],
      ['rtcp-on-rtp-port', Uint8Array.from([0x80, 200, ...good.subarray(2)])],
    ];
    for (const [reason, data] of cases) assert.deepEqual(parseRtp(data), { ok: false, reason }, reason);
  });
});

describe('RTCP compound packets (RFC 3550 §6)', () => {
  const block = {
    ssrc: 42,
    fractionLost: 25,
    cumulativeLost: -3,
    highestSequence: 0x1_0005,
    jitter: 80,
    lastSr: 0x12345678,
    delaySinceLastSr: 65536,
  };

  test('an SR with a block, SDES CNAME and BYE round-trips', () => {
    const data = serializeRtcp({
      ssrc: 7,
      sender: {
        ntpSeconds: 3_900_000_000,
        ntpFraction: 2 ** 31,
        rtpTimestamp: 160,
        packetCount: 50,
        octetCount: 8000,
      },
      reports: [block],
      cname: 'pconn-leg@example',
      bye: true,
    });
    assert.equal(data.length % 4, 0);
    const parsed = parseRtcp(data);
    assert.ok(parsed.ok, `parsed: ${JSON.stringify(parsed)}`);
    const [report] = parsed.compound.reports;
    assert.equal(report?.ssrc, 7);
    assert.deepEqual(report?.sender, {
      ntpSeconds: 3_900_000_000,
      ntpFraction: 2 ** 31,
      rtpTimestamp: 160,
      packetCount: 50,
      octetCount: 8000,
    });
    assert.deepEqual(report?.reports, [block]);
    assert.equal(parsed.compound.cname, 'pconn-leg@example');
    assert.deepEqual(parsed.compound.bye, [7]);
  });

  test('an RR without blocks round-trips', () => {
    const parsed = parseRtcp(serializeRtcp({ ssrc: 9, reports: [], cname: 'x' }));
    assert.ok(parsed.ok, 'parsed');
    assert.deepEqual(parsed.compound.reports, [{ ssrc: 9, reports: [] }]);
    assert.deepEqual(parsed.compound.bye, []);
  });

  test('malformed compounds are refused with a reason', () => {
    const good = serializeRtcp({ ssrc: 9, reports: [block], cname: 'x' });
    assert.deepEqual(parseRtcp(good.subarray(0, 6)), { ok: false, reason: 'short' });
    assert.deepEqual(parseRtcp(good.subarray(0, good.length - 4)), { ok: false, reason: 'bad-length' });
    assert.deepEqual(parseRtcp(Uint8Array.from([0x81, 202, 0, 1, 0, 0, 0, 1])), {
      ok: false,
      reason: 'not-compound',
    });
    assert.deepEqual(parseRtcp(Uint8Array.from([0x40, 201, 0, 1, 0, 0, 0, 1])), {
      ok: false,
      reason: 'version',
    });
    // An RR claiming 3 blocks in a length that holds none.
    assert.deepEqual(parseRtcp(Uint8Array.from([0x83, 201, 0, 1, 0, 0, 0, 1])), {
      ok: false,
      reason: 'bad-length',
    });
  });
});
