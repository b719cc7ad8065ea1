import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { FrameClock } from '../../../src/telephony/rtp/frame-clock.ts';
import {
  parsePortRange,
  RtpPortAllocator,
  RtpPortsExhaustedError,
} from '../../../src/telephony/rtp/port-allocator.ts';
import { ReorderBuffer } from '../../../src/telephony/rtp/reorder-buffer.ts';
import { serializeRtp } from '../../../src/telephony/rtp/rtp-packet.ts';
import { RtpReceiver } from '../../../src/telephony/rtp/rtp-receiver.ts';
import { type DtmfDigit, TelephoneEventReceiver } from '../../../src/telephony/rtp/telephone-event.ts';

describe('reorder buffer', () => {
  test('swapped packets come out in order; a lost one becomes one placeholder', () => {
    const out: Array<number | undefined> = [];
    const buffer = new ReorderBuffer<number>((entry) => out.push(entry), 3, 60);
    for (const [seq, at] of [
      [1, 0],
      [3, 20],
      [2, 21],
      [4, 40],
      [6, 80],
      [7, 100],
      [8, 120],
      [9, 140],
    ] as const) {
      buffer.push(seq, seq, at);
    }
    // 5 never came: given up once 4 packets were waiting behind it.
    assert.deepEqual(out, [1, 2, 3, 4, undefined, 6, 7, 8, 9]);
    assert.equal(buffer.push(2, 2, 150), 'too-late');
  });

  test('a gap is given up after holdMs even when no further packet arrives', () => {
    const out: Array<number | undefined> = [];
    const buffer = new ReorderBuffer<number>((entry) => out.push(entry), 3, 60);
    buffer.push(1, 1, 0);
    buffer.push(3, 3, 40);
    buffer.flush(90);
    assert.deepEqual(out, [1]);
    buffer.flush(100);
    assert.deepEqual(out, [1, undefined, 3]);
  });
});

describe('RFC 4733 telephone-events', () => {
  const packet = (event: number, end: boolean, duration: number) =>
    Uint8Array.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);

  test('one digit per event: repeated updates and the three end packets give one report', () => {
    const digits: DtmfDigit[] = [];
    const events = new TelephoneEventReceiver((d) => digits.push(d));
    events.receive(1000, packet(1, false, 0), 0);
    events.receive(1000, packet(1, false, 400), 50);
    for (let i = 0; i < 3; i++) events.receive(1000, packet(1, true, 800), 100);
    events.receive(2000, packet(11, true, 1600), 300);
    events.receive(2000, packet(11, true, 1600), 301);
    assert.deepEqual(digits, [
      { digit: '1', durationMs: 100 },
      { digit: '#', durationMs: 200 },
    ]);
  });

  test('an event whose end packets were lost is reported when the next starts or it goes quiet', () => {
    const digits: string[] = [];
    const events = new TelephoneEventReceiver((d) => digits.push(d.digit));
    events.receive(1000, packet(5, false, 400), 0);
    events.receive(3000, packet(10, false, 400), 500);
    assert.deepEqual(digits, ['5']);
    events.flush(1000);
    assert.deepEqual(digits, ['5']);
    events.flush(1600);
    assert.deepEqual(digits, ['5', '*']);
    assert.equal(events.receive(4000, Uint8Array.from([1, 2]), 1700), false);
  });
});

describe('RTP port allocator', () => {
  test('PCONN_RTP_PORTS parses as an inclusive range with at least one even/odd pair', () => {
    assert.deepEqual(parsePortRange('20000-29999'), { min: 20000, max: 29999 });
    assert.deepEqual(parsePortRange(' 10001 - 10003 '), { min: 10001, max: 10003 });
    for (const bad of ['', '20000', '20000-20000', '0-10', '30000-20000', '1-70000', 'a-b', '20001-20002']) {
      assert.equal(parsePortRange(bad), undefined, bad);
    }
  });

  test('hands out even ports, refuses clearly when exhausted, reuses released pairs last', () => {
    const ports = new RtpPortAllocator({ min: 40001, max: 40008 });
    assert.equal(ports.capacity, 3);
    assert.deepEqual([ports.allocate(), ports.allocate(), ports.allocate()], [40002, 40004, 40006]);
    assert.throws(
      () => ports.allocate(),
      (error: unknown) =>
        error instanceof RtpPortsExhaustedError &&
        /no free RTP port pair in 40001-40008: all 3 pairs/.test(error.message),
    );
    ports.release(40004);
    ports.release(40004); // twice: ignored
    ports.release(12345); // never handed out: ignored
    assert.equal(ports.inUse, 2);
    assert.equal(ports.allocate(), 40004);
    assert.throws(() => ports.allocate(), RtpPortsExhaustedError);
  });
});

describe('frame clock', () => {
  test('ticks stay on the start + k·period grid however late each firing is', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let now = 1000;
      const clock = new FrameClock(20, () => now, 1);
      const dues: number[] = [];
      const stop = clock.add((due) => {
        dues.push(due);
        // Every firing runs 3 ms late: an interval timer would drift 3 ms per tick.
        now += 3;
      });
      for (let i = 0; i < 100; i++) {
        now += 17;
        mock.timers.tick(20);
      }
      stop();
      assert.equal(dues.length, 100);
      assert.deepEqual(dues.slice(0, 3), [1020, 1040, 1060]);
      assert.equal(dues.at(-1), 1000 + 100 * 20);
      assert.equal(clock.size, 0);
    } finally {
      mock.timers.reset();
    }
  });

  test('legs spread over the slots of the period, each on its own 20 ms grid', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let now = 0;
      const clock = new FrameClock(20, () => now, 4);
      const dues: number[][] = [[], [], [], [], []];
      const stops = dues.map((list) => clock.add((due) => list.push(due)));
      for (let i = 0; i < 40; i++) {
        now += 5;
        mock.timers.tick(5);
      }
      for (const stop of stops) stop();
      // Five legs on four slots: slot 0 holds two; every leg's dues are 20 ms apart.
      assert.deepEqual(
        dues.map((list) => list.slice(0, 2)),
        [
          [20, 40],
          [5, 25],
          [10, 30],
          [15, 35],
          [20, 40],
        ],
      );
      for (const list of dues)
        assert.ok(
          list.every((due, k) => k === 0 || due - (list[k - 1] ?? 0) === 20),
          `${list}`,
        );
    } finally {
      mock.timers.reset();
    }
  });

  test('after a stall the next tick is the latest one due (legs catch up by count)', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let now = 0;
      const clock = new FrameClock(20, () => now, 1);
      const dues: number[] = [];
      const stop = clock.add((due) => dues.push(due));
      now = 20;
      mock.timers.tick(20);
      now = 130; // the event loop was blocked for 110 ms
      mock.timers.tick(20);
      stop();
      assert.deepEqual(dues, [20, 120]);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('receiver source changes', () => {
  const packet = (ssrc: number, sequence: number) =>
    serializeRtp({
      payloadType: 0,
      sequence,
      timestamp: sequence * 160,
      ssrc,
      payload: new Uint8Array(160).fill(0xff),
    });

  test('one stray packet of another SSRC is dropped; two in sequence start a new source', () => {
    const frames: Int16Array[] = [];
    const receiver = new RtpReceiver({ onFrame: (frame) => frames.push(frame) });
    for (const sequence of [1, 2, 3])
      assert.equal(receiver.receive(packet(1, sequence), sequence * 20), true);
    assert.equal(receiver.receive(packet(2, 500), 80), false);
    assert.equal(receiver.receive(packet(1, 4), 80), true);
    assert.deepEqual(receiver.summary().dropped, { 'ssrc-probation': 1 });
    assert.equal(receiver.summary().lost, 0);
    assert.equal(receiver.receive(packet(3, 10), 100), false);
    assert.equal(receiver.receive(packet(3, 11), 120), true);
    assert.equal(receiver.remoteSsrc, 3);
    assert.equal(receiver.summary().packets, 5, 'the first source’s 4 and the new one’s first counted');
    assert.equal(frames.length, 5);
  });

  test('a dynamic payload type from the SDP is decoded as its codec; other unknown types are dropped', () => {
    const frames: Int16Array[] = [];
    const receiver = new RtpReceiver({
      audioPayloadType: { payloadType: 97, codec: 'PCMA' },
      onFrame: (f) => frames.push(f),
    });
    const pcma = (payloadType: number, sequence: number) =>
      serializeRtp({
        payloadType,
        sequence,
        timestamp: sequence * 160,
        ssrc: 9,
        payload: new Uint8Array(160).fill(0xd5),
      });
    assert.equal(receiver.receive(pcma(97, 1), 0), true);
    assert.equal(receiver.receive(pcma(96, 2), 20), false);
    assert.deepEqual(receiver.summary().dropped, { 'unknown-payload-type': 1 });
    assert.equal(frames[0]?.[0], 8, 'A-law 0xD5 decodes to 8');
  });
});
