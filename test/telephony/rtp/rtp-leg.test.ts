import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { after, describe, test } from 'node:test';
import { decodeG711, encodeG711 } from '../../../src/media/g711.ts';
import { RtpPortsExhaustedError } from '../../../src/telephony/rtp/port-allocator.ts';
import { RtpEndpoint } from '../../../src/telephony/rtp/rtp-endpoint.ts';
import type { RtpLeg } from '../../../src/telephony/rtp/rtp-leg.ts';
import type { DtmfDigit } from '../../../src/telephony/rtp/telephone-event.ts';
import { RtpPeer, RtpRelay } from '../../support/rtp-peer.ts';
import { waitFor } from '../../support/wait-for.ts';

/** A small range of its own per endpoint, so parallel test files rarely meet. */
function freshRange(pairs: number) {
  const min = 2 * randomInt(15_000, 17_500);
  return { min, max: min + pairs * 2 - 1 };
}

const endpoints: RtpEndpoint[] = [];
function endpoint(pairs = 8, rtcpIntervalMs = 5000): RtpEndpoint {
  const created = new RtpEndpoint({ ports: freshRange(pairs), bindAddress: '127.0.0.1', rtcpIntervalMs });
  endpoints.push(created);
  return created;
}
const peers: RtpPeer[] = [];
after(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  await Promise.all(peers.map((p) => p.close()));
});

/** `seconds` of a 440 Hz cosine (it starts away from zero, so its first sample is found). */
function tone(seconds: number, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: seconds * 8000 }, (_, i) =>
    Math.round(amplitude * Math.cos((2 * Math.PI * 440 * i) / 8000)),
  );
}

/** The frames concatenated, from the first non-silent sample on. */
function fromFirstSound(frames: Int16Array[]): Int16Array {
  const all = Int16Array.from(frames.flatMap((f) => [...f]));
  const first = all.findIndex((s) => s !== 0);
  return first < 0 ? new Int16Array(0) : all.subarray(first);
}

const address = (leg: RtpLeg) => ({ address: '127.0.0.1', port: leg.localPort });

describe('RTP legs over real UDP sockets', () => {
  test('two legs exchange audio: every frame arrives intact, in 160-sample frames, none lost', async () => {
    const media = endpoint();
    const heardByB: Int16Array[] = [];
    const a = await media.openLeg();
    const b = await media.openLeg({ onFrame: (frame) => heardByB.push(frame) });
    assert.equal(a.localPort % 2, 0, 'RTP port is even');
    a.setRemote(address(b));
    b.setRemote(address(a));
    const sent = tone(1);
    assert.equal(await a.play(sent), true);
    const expected = decodeG711('PCMU', encodeG711('PCMU', sent));
    const heard = await waitFor(
      () => {
        const sound = fromFirstSound(heardByB);
        return sound.length >= expected.length ? sound : undefined;
      },
      { what: 'B to hear the whole tone' },
    );
    assert.ok(
      heardByB.every((frame) => frame.length === 160),
      'frames of 160 samples',
    );
    assert.deepEqual([...heard.subarray(0, expected.length)], [...expected]);
    const quality = b.quality();
    assert.equal(quality.received.lost, 0);
    assert.equal(quality.received.duplicates, 0);
    assert.deepEqual(quality.received.dropped, {});
    // The jitter formula and its units are tested exactly in receive-statistics.test.ts; here the
    // sender paces by real timers, which a loaded 2-core machine delays by tens of ms (20.3 ms was
    // seen), so this only checks that arrivals reach the statistics as a sane figure in ms.
    const { jitterMs } = quality.received;
    assert.ok(Number.isFinite(jitterMs) && jitterMs >= 0 && jitterMs < 250, `jitter ${jitterMs} ms`);
    assert.ok(a.quality().sent.packets >= 50, 'A sent at least the tone');
  });

  test('loss, reordering and a duplicate injected by a relay are concealed and counted', async () => {
    const media = endpoint();
    const heardByB: Int16Array[] = [];
    const a = await media.openLeg({ sendWhenIdle: false });
    const b = await media.openLeg({ onFrame: (frame) => heardByB.push(frame) });
    const relay = await RtpRelay.open(address(a), address(b), (i) => {
      if (i >= 10 && i < 15) return 'drop';
      if (i === 20) return 'hold';
      if (i === 30) return 'duplicate';
      return 'pass';
    });
    a.setRemote(relay.address);
    b.setRemote(relay.address);
    const sent = tone(1.2);
    await a.play(sent);
    await waitFor(() => b.quality().received.expected >= 60, { what: 'B to see all 60 sequence numbers' });
    await waitFor(() => heardByB.length >= 60, { what: 'B to deliver 60 frames' });
    const quality = b.quality().received;
    assert.equal(quality.expected, 60);
    assert.equal(quality.packets, 55);
    assert.equal(quality.lost, 5);
    assert.equal(quality.duplicates, 1);
    assert.equal(quality.concealedFrames, 5, 'only the 5 lost packets are concealed, not the swapped pair');
    const expected = decodeG711('PCMU', encodeG711('PCMU', sent));
    heardByB.slice(0, 60).forEach((frame, k) => {
      const want = k >= 10 && k < 15 ? new Int16Array(160) : expected.subarray(k * 160, (k + 1) * 160);
      assert.deepEqual([...frame], [...want], `frame ${k}`);
    });
    await relay.close();
  });

  test('symmetric RTP: with no SDP address yet the leg answers where the peer sends from; others are dropped', async () => {
    const media = endpoint();
    const digits: DtmfDigit[] = [];
    const leg = await media.openLeg({ eventPayloadType: 101, onDtmf: (d) => digits.push(d) });
    const peer = await RtpPeer.open();
    const stranger = await RtpPeer.open();
    peers.push(peer, stranger);
    await peer.sendAudio(tone(0.2), address(leg));
    await waitFor(() => peer.received.length > 0, { what: 'the leg to send to the latched peer' });
    assert.equal(peer.received[0]?.from.port, leg.localPort, 'sent from the port it receives on');
    await stranger.sendAudio(tone(0.1), address(leg));
    await waitFor(() => leg.quality().received.dropped['foreign-source'] === 5, {
      what: 'the stranger to be dropped',
    });
    assert.equal(stranger.received.length, 0, 'nothing sent to the stranger');
    // DTMF from the latched peer: one report per key press, whatever the repeated end packets.
    await peer.sendDigit('1', address(leg), 100);
    await peer.sendDigit('#', address(leg), 150);
    await waitFor(() => digits.length >= 2, { what: 'two digits' });
    assert.deepEqual(digits, [
      { digit: '1', durationMs: 100 },
      { digit: '#', durationMs: 150 },
    ]);
    assert.equal(leg.quality().received.dtmfDigits, 2);
    assert.equal(leg.quality().received.lost, 0, 'event packets are part of the sequence, not losses');
  });

  test('RTCP: sender and receiver reports flow both ways with a round-trip time; BYE on close', async () => {
    const media = endpoint(8, 100);
    let byeSeen = false;
    const a = await media.openLeg();
    const b = await media.openLeg({ onBye: () => (byeSeen = true) });
    a.setRemote(address(b));
    b.setRemote(address(a));
    const peer = await RtpPeer.open();
    peers.push(peer);
    const c = await media.openLeg({ remote: peer.address });
    const rtt = await waitFor(() => a.quality().rtcp.remote?.roundTripMs, {
      what: "A to learn the RTT from B's reports",
    });
    assert.ok(rtt >= 0 && rtt < 1000, `round trip ${rtt} ms`);
    const aboutA = b.quality().rtcp;
    assert.ok(aboutA.received > 0 && aboutA.sent > 0, 'B sent and received reports');
    assert.match(aboutA.remoteCname ?? '', /^pconn-/);
    assert.equal(a.quality().rtcp.remote?.cumulativeLost, 0);
    // A plain peer receives the reports on its RTP port + 1: an SR (we send) with our CNAME.
    await waitFor(() => peer.rtcpReceived.length > 0, { what: 'the peer to get RTCP on RTP + 1' });
    assert.ok(peer.rtcpReceived[0]?.reports[0]?.sender, 'a sender report');
    const final = await a.close();
    assert.ok(final.sent.packets > 0, 'close returns the final figures');
    await waitFor(() => byeSeen, { what: 'B to see BYE' });
    assert.equal(b.quality().rtcp.bye, true);
    await c.close();
  });

  test('all legs share one timer, and each sends 20 ms packets paced from its start', async () => {
    const media = endpoint(40);
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const legs: RtpLeg[] = [];
    for (let i = 0; i < 30; i++) legs.push(await media.openLeg({ sendWhenIdle: true }));
    assert.ok(timers() - before <= 1, `${timers() - before} timers for 30 legs`);
    assert.equal(media.clock.size, 30);
    const peer = await RtpPeer.open();
    peers.push(peer);
    const started = performance.now();
    legs[0]?.setRemote(peer.address);
    await waitFor(() => peer.received.length >= 50, { what: '50 packets at the peer' });
    const elapsed = performance.now() - started;
    const packets = peer.received.slice(0, 50).map((r) => r.packet);
    packets.forEach((packet, k) => {
      const first = packets[0] as (typeof packets)[0];
      assert.equal(packet.sequence, (first.sequence + k) & 0xffff, `sequence of packet ${k}`);
      assert.equal(packet.payload.length, 160);
      // Frames skipped after a stall advance the timestamp but not the sequence.
      assert.equal(((packet.timestamp - first.timestamp) >>> 0) % 160, 0, `timestamp of packet ${k}`);
    });
    assert.equal(packets[0]?.marker, true, 'the first packet starts a talkspurt');
    // 50 frames are due after 980 ms; a late tick sends what it owes, never more.
    assert.ok(elapsed >= 900, `50 packets after only ${elapsed.toFixed(0)} ms: sent faster than 20 ms`);
    await Promise.all(legs.map((leg) => leg.close()));
    assert.equal(media.clock.size, 0, 'the timer stops with the last leg');
  });

  test('a recvonly or inactive direction sends nothing until sendrecv; playback waits for it', async () => {
    const media = endpoint();
    const peer = await RtpPeer.open();
    peers.push(peer);
    const leg = await media.openLeg({ remote: peer.address, direction: 'recvonly' });
    const played = leg.play(tone(0.1));
    // Wait for the peer's own packets to be received (ticks have run) before judging silence.
    await peer.sendAudio(tone(0.2), address(leg));
    await waitFor(() => leg.quality().received.packets === 10, { what: 'the leg to receive 10 packets' });
    assert.equal(peer.received.length, 0, 'nothing sent while recvonly');
    leg.setDirection('sendrecv');
    assert.equal(await played, true);
    await waitFor(() => peer.received.length >= 5, { what: 'the tone once sending' });
    assert.equal(peer.received[0]?.packet.marker, true, 'sending resumes with a talkspurt marker');
    assert.deepEqual(
      [...peer.decoded().subarray(0, 800)],
      [...decodeG711('PCMU', encodeG711('PCMU', tone(0.1)))],
    );
  });

  test('a send the kernel refuses at once is counted, and the leg keeps ticking', async () => {
    // Every RTP send shares one callback: without any, Node drops a synchronous failure unseen.
    const media = endpoint();
    const leg = await media.openLeg({ remote: { address: '255.255.255.255', port: 9 } });
    // A broadcast address without SO_BROADCAST: EACCES from sendmsg, on every frame.
    const errors = await waitFor(
      () => (leg.quality().sendErrors >= 3 ? leg.quality().sendErrors : undefined),
      {
        what: 'send errors counted',
      },
    );
    assert.ok(errors >= 3, `${errors} send errors`);
    await leg.close();
  });

  test('port range exhaustion is a clear error; closing a leg frees its pair for the next', async () => {
    const media = endpoint(2);
    const first = await media.openLeg();
    const second = await media.openLeg();
    await assert.rejects(media.openLeg(), (error: unknown) => {
      assert.ok(error instanceof RtpPortsExhaustedError, `got ${String(error)}`);
      assert.match(error.message, /no free RTP port pair in \d+-\d+: all 2 pairs are in use/);
      return true;
    });
    const freed = first.localPort;
    await first.close();
    assert.equal(media.ports.inUse, 1);
    const again = await media.openLeg();
    assert.equal(again.localPort, freed);
    await Promise.all([second.close(), again.close()]);
    assert.equal(media.openLegs, 0);
  });

  test('a pair another process holds is skipped', async (t) => {
    const range = freshRange(3);
    const squatter = createSocket('udp4');
    // Closed whatever happens: an open socket would keep this file from ever exiting.
    t.after(() => squatter.close());
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.bind(range.min + 1, '127.0.0.1', resolve);
    });
    const media = new RtpEndpoint({ ports: range, bindAddress: '127.0.0.1' });
    endpoints.push(media);
    const leg = await media.openLeg();
    // Another test file running beside this one may hold a port of the range too, so the leg
    // may land on any later pair; what matters is that the squatted pair is skipped.
    assert.notEqual(leg.localPort, range.min, 'the pair whose RTCP port was taken is skipped');
    assert.ok(
      leg.localPort > range.min && leg.localPort <= range.max - 1,
      `a pair of the range: ${leg.localPort}`,
    );
  });
});
