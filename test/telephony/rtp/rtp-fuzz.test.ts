import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { decodeG711, encodeG711 } from '../../../src/media/g711.ts';
import { parseRtcp, serializeRtcp } from '../../../src/telephony/rtp/rtcp-packet.ts';
import { RtpEndpoint } from '../../../src/telephony/rtp/rtp-endpoint.ts';
import { parseRtp, serializeRtp } from '../../../src/telephony/rtp/rtp-packet.ts';
import { RtpReceiver } from '../../../src/telephony/rtp/rtp-receiver.ts';
import { RtpPeer } from '../../support/rtp-peer.ts';
import { waitFor } from '../../support/wait-for.ts';

/** mulberry32: a small seeded generator, so every run fuzzes with the same datagrams. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int };
}

type Random = ReturnType<typeof seeded>;

function randomBytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random.int(256));
}

/** A valid packet bent one of many ways: what a broken or hostile peer sends. */
function mutate(random: Random, valid: Uint8Array): Uint8Array {
  const out = Uint8Array.from(valid);
  switch (random.int(9)) {
    case 0:
      for (let i = 0, n = 1 + random.int(4); i < n; i++) {
        const at = random.int(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << random.int(8));
      }
      return out;
    case 1:
      return out.subarray(0, random.int(out.length));
    case 2:
      return Uint8Array.from([...out, ...randomBytes(random, random.int(3000))]);
    case 3:
      out[1] = random.int(256); // any payload type, marker either way
      return out;
    case 4:
      out[0] = 0x80 | random.int(16); // CSRC count beyond the packet
      return out;
    case 5:
      out[0] = (out[0] ?? 0) | 0x10; // extension header of random length
      return out;
    case 6:
      out[0] = (out[0] ?? 0) | 0x20;
      out[out.length - 1] = random.int(256); // padding count
      return out;
    case 7:
      out[2] = random.int(256); // sequence jump
      out[3] = random.int(256);
      return out;
    default:
      out[0] = random.int(256); // any version
      return out;
  }
}

function validPacket(random: Random, payloadType = 0): Uint8Array {
  return serializeRtp({
    payloadType,
    sequence: random.int(65536),
    timestamp: random.int(2 ** 32),
    ssrc: 1234,
    payload: randomBytes(random, payloadType === 101 ? 4 : 160),
  });
}

describe('RTP fuzz (deterministic seed)', () => {
  test('20,000 random and mutated datagrams: the parsers and a receiver never throw, counts stay sane', (t) => {
    const random = seeded(0x5eed);
    const receiver = new RtpReceiver({ eventPayloadType: 101, onFrame: () => {}, onDtmf: () => {} });
    const rtcpValid = serializeRtcp({ ssrc: 5, reports: [], cname: 'fuzz' });
    let parsedRtp = 0;
    for (let i = 0; i < 20_000; i++) {
      const data =
        i % 4 === 0
          ? randomBytes(random, random.int(i % 100 === 0 ? 70_000 : 400))
          : i % 4 === 3
            ? mutate(random, rtcpValid)
            : mutate(random, validPacket(random, i % 8 === 1 ? 101 : 0));
      if (parseRtp(data).ok) parsedRtp++;
      parseRtcp(data);
      receiver.receive(data, i);
      if (i % 50 === 0) receiver.tick(i);
    }
    const summary = receiver.summary();
    for (const [name, value] of Object.entries(summary)) {
      if (typeof value === 'number') assert.ok(Number.isFinite(value) && value >= 0, `${name} = ${value}`);
    }
    const dropped = Object.values(summary.dropped).reduce((a, b) => a + b, 0);
    t.diagnostic(`parsed as RTP ${parsedRtp}, dropped ${JSON.stringify(summary.dropped)}`);
    assert.ok(dropped > 5000, `only ${dropped} dropped`);
    assert.ok(
      parsedRtp > 1000,
      `only ${parsedRtp} parsed: the mutations are too destructive to reach the receiver`,
    );
  });

  describe('on real sockets', () => {
    const min = 2 * randomInt(17_600, 19_000);
    const media = new RtpEndpoint({
      ports: { min, max: min + 15 },
      bindAddress: '127.0.0.1',
      rtcpIntervalMs: 200,
    });
    const peers: RtpPeer[] = [];
    after(async () => {
      await media.close();
      await Promise.all(peers.map((p) => p.close()));
    });

    test('5,000 bad datagrams at one leg (from its peer and a stranger) leave the other leg untouched', async (t) => {
      const random = seeded(0xbad);
      const heardByB: Int16Array[] = [];
      const a = await media.openLeg({ eventPayloadType: 101 });
      const b = await media.openLeg({ onFrame: (frame) => heardByB.push(frame) });
      const [peerA, peerB, stranger] = await Promise.all([RtpPeer.open(), RtpPeer.open(), RtpPeer.open()]);
      peers.push(peerA, peerB, stranger);
      const toA = { address: '127.0.0.1', port: a.localPort };
      const toB = { address: '127.0.0.1', port: b.localPort };
      const tone = Int16Array.from({ length: 8000 }, (_, i) =>
        Math.round(6000 * Math.cos((2 * Math.PI * 697 * i) / 8000)),
      );
      let garbage = 0;
      const hostile = peerA.sendAudio(tone, toA, async () => {
        for (let i = 0; i < 100; i++, garbage++) {
          const from = i % 10 === 0 ? stranger : peerA;
          const data =
            i % 3 === 0
              ? randomBytes(random, random.int(1600))
              : mutate(random, peerA.nextPacket(tone.subarray(0, 160)));
          await from.sendRaw(data, i % 7 === 0 ? { ...toA, port: toA.port + 1 } : toA);
          // Let the legs read between bursts: the socket buffers, not the code, would drop them.
          if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
        }
      });
      const clean = peerB.sendAudio(tone, toB);
      await Promise.all([hostile, clean]);
      assert.equal(garbage, 5000);
      const expected = decodeG711('PCMU', encodeG711('PCMU', tone));
      await waitFor(() => heardByB.length >= 50, { what: 'B to deliver its 50 frames' });
      assert.deepEqual([...Int16Array.from(heardByB.slice(0, 50).flatMap((f) => [...f]))], [...expected]);
      const bQuality = b.quality();
      assert.equal(bQuality.received.lost, 0, 'B lost nothing');
      assert.deepEqual(bQuality.received.dropped, {}, 'B dropped nothing');
      assert.equal(bQuality.sendErrors, 0);
      await waitFor(() => peerB.received.length > 0, { what: 'B to keep sending to its peer' });
      const aQuality = a.quality();
      const aDropped = Object.values(aQuality.received.dropped).reduce((x, y) => x + y, 0);
      t.diagnostic(
        `leg A dropped ${JSON.stringify(aQuality.received.dropped)}, RTCP dropped ${aQuality.rtcp.dropped}`,
      );
      assert.ok(
        aDropped > 1000,
        `A counted only ${aDropped} drops: ${JSON.stringify(aQuality.received.dropped)}`,
      );
      assert.ok(
        (aQuality.received.dropped['foreign-source'] ?? 0) > 0,
        'the stranger was dropped as foreign',
      );
      assert.ok(
        aQuality.rtcp.dropped + (aQuality.received.dropped['foreign-rtcp'] ?? 0) > 0,
        'bad RTCP counted',
      );
      // A still answers its own peer after all that.
      await waitFor(() => peerA.received.length > 0, { what: 'A to keep sending to its peer' });
    });
  });
});
