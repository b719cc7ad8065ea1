/**
 * The node under test of media_legs: an RtpEndpoint in its own process whose legs each send a
 * 20 ms frame per tick and analyse every frame they receive with the product's AnswerDetector.
 * A leg whose detector has finished (verdict reached, no beep awaited) starts a fresh one at
 * once, as if a new call had been answered on it: every leg is under analysis all the time, the
 * worst case (a real leg stops analysing after its verdict). Driven over IPC by
 * bench/media-legs.ts: open N legs towards given peer ports, measure a window, close.
 */
import { AnswerDetector } from '../../src/media/answer-detector.ts';
import { FrameClock } from '../../src/telephony/rtp/frame-clock.ts';
import { RtpEndpoint } from '../../src/telephony/rtp/index.ts';
import { FloorLeg } from './media-floor-leg.ts';

/** BENCH_MEDIA_NODE_FLOOR=1: plain sockets instead of RtpLegs (the media_legs_floor reference). */
const floor = process.env.BENCH_MEDIA_NODE_FLOOR === '1';

const min = Number(process.env.BENCH_MEDIA_NODE_PORTS_MIN ?? 40000);
/** BENCH_MEDIA_SLOTS: the FrameClock's slots per period (the endpoint's default otherwise). */
const slots = process.env.BENCH_MEDIA_SLOTS ? Number(process.env.BENCH_MEDIA_SLOTS) : undefined;
const endpoint = new RtpEndpoint({
  ports: { min, max: min + 4999 },
  bindAddress: '127.0.0.1',
  clock: slots ? new FrameClock(20, () => performance.now(), slots) : undefined,
});
let legs: Array<{
  localPort: number;
  quality(): { received: { lost: number; expected: number; packets: number } };
  close(): Promise<unknown>;
}> = [];
/** Bins of 0.1 ms up to 100 ms; the last holds everything later. */
function count(bins: Uint32Array, ms: number): void {
  const bin = Math.min(1000, Math.max(0, Math.round(ms * 10)));
  bins[bin] = (bins[bin] ?? 0) + 1;
}
/** The clock's latest firing seen by a leg: each new one is counted once in timerLate. */
let lastFiring = endpoint.clock.lastFiring;
/** Send lateness in 0.1 ms bins up to 100 ms (the last bin holds everything later). */
let lateness = new Uint32Array(1001);
/** From the timer firing to each frame leaving: the spread the loop over all legs adds. */
let spread = new Uint32Array(1001);
/** How late the shared timer fired, per tick: the event loop's and the OS's share. */
let timerLate = new Uint32Array(1001);
let analysed = 0;
/** Verdicts reached in the window, by verdict (a sanity check that the audio is analysed). */
let verdicts: Record<string, number> = {};

/** A leg's analysis: every frame into its detector; a finished detector is replaced at once. */
function analyser(): (frame: Int16Array) => void {
  let detector = new AnswerDetector();
  return (frame) => {
    analysed++;
    detector.push(frame);
    if (detector.listening) return;
    const verdict = detector.detection?.verdict ?? 'none';
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    detector = new AnswerDetector();
  };
}

function percentile(bins: Uint32Array, p: number): number {
  const total = bins.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    seen += bins[i] ?? 0;
    if (seen >= total * p) return i / 10;
  }
  return Number.NaN;
}

function received() {
  let lost = 0;
  let expected = 0;
  let packets = 0;
  for (const leg of legs) {
    const q = leg.quality().received;
    lost += q.lost;
    expected += q.expected;
    packets += q.packets;
  }
  return { lost, expected, packets };
}

process.on('message', async (message: { type: string; peerPorts?: number[]; seconds?: number }) => {
  if (message.type === 'open') {
    legs = [];
    const onFrameSent = (lateMs: number) => {
      count(lateness, lateMs);
      const firing = endpoint.clock.lastFiring;
      if (firing !== lastFiring) {
        lastFiring = firing;
        count(timerLate, firing.firedMs - firing.dueMs);
      }
      count(spread, performance.now() - firing.firedMs);
    };
    for (const port of message.peerPorts ?? []) {
      legs.push(
        floor
          ? await FloorLeg.open(endpoint.clock, port, onFrameSent)
          : await endpoint.openLeg({
              remote: { address: '127.0.0.1', port },
              onFrame: analyser(),
              onFrameSent,
            }),
      );
    }
    process.send?.({ type: 'opened', ports: legs.map((leg) => leg.localPort) });
  } else if (message.type === 'measure') {
    lateness = new Uint32Array(1001);
    spread = new Uint32Array(1001);
    timerLate = new Uint32Array(1001);
    analysed = 0;
    verdicts = {};
    const before = received();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, (message.seconds ?? 5) * 1000));
    const used = process.cpuUsage(cpu);
    const after = received();
    let maxLate = 0;
    lateness.forEach((count, bin) => {
      if (count > 0) maxLate = bin / 10;
    });
    process.send?.({
      type: 'measured',
      elapsedMs: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      frames: lateness.reduce((a, b) => a + b, 0),
      p50: percentile(lateness, 0.5),
      p99: percentile(lateness, 0.99),
      maxLate,
      spreadP99: percentile(spread, 0.99),
      timerP99: percentile(timerLate, 0.99),
      lost: after.lost - before.lost,
      expected: after.expected - before.expected,
      received: after.packets - before.packets,
      analysed,
      verdicts,
    });
  } else if (message.type === 'baseline') {
    // A bare drift-free 20 ms timer and nothing else: what this machine's scheduling alone costs.
    const bins = new Uint32Array(1001);
    const start = performance.now();
    const ticks = ((message.seconds ?? 5) * 1000) / 20;
    await new Promise<void>((resolve) => {
      let k = 1;
      const next = () => {
        setTimeout(
          () => {
            count(bins, performance.now() - (start + k * 20));
            if (++k > ticks) resolve();
            else next();
          },
          Math.max(0, start + k * 20 - performance.now()),
        );
      };
      next();
    });
    process.send?.({ type: 'baseline', p50: percentile(bins, 0.5), p99: percentile(bins, 0.99) });
  } else if (message.type === 'close') {
    await Promise.all(legs.map((leg) => leg.close()));
    legs = [];
    process.send?.({ type: 'closed' });
  }
});
process.send?.({ type: 'ready' });
process.on('disconnect', () => {
  void endpoint.close().then(() => process.exit(0));
});
