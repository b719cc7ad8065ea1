/**
 * media_legs (issue 16): how many concurrent RTP legs one node carries with 20 ms send pacing
 * jitter p99 ≤ 5 ms and no receive loss. The node (servers/media-node.ts) runs in its own
 * process; each of its legs sends a frame every 20 ms on the endpoint's shared FrameClock and
 * analyses every frame it receives. The far ends are legs of another endpoint in this process,
 * sending a tone. N ramps up; the figure is the largest N that met both goals.
 * Pacing jitter is each frame's lateness after its due instant on the 20 ms grid.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RtpEndpoint } from '../src/telephony/rtp/index.ts';
import type { RtpLeg } from '../src/telephony/rtp/rtp-leg.ts';

const STEPS = (process.env.BENCH_MEDIA_LEGS ?? '100,250,500,750,1000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_MEDIA_SECONDS ?? 5);
const GOAL_P99_MS = 5;

interface Measured {
  cpuMs: number;
  elapsedMs: number;
  frames: number;
  p50: number;
  p99: number;
  maxLate: number;
  /** p99 of the part of the lateness the loop over legs adds (lateness less the timer's). */
  spreadP99: number;
  /** p99 of how late the shared timer itself fired (event loop and OS scheduling). */
  timerP99: number;
  lost: number;
  expected: number;
  received: number;
  analysed: number;
}

/** The node under test in its own process, asked over IPC; each question gets one reply. */
async function startNode() {
  const node = fork(fileURLToPath(new URL('./servers/media-node.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_MEDIA_NODE_PORTS_MIN: '40000' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: Array<(message: unknown) => void> = [];
  await new Promise<void>((resolve, reject) => {
    node.once('exit', (code) => reject(new Error(`media node exited with ${code}`)));
    node.on('message', (message: { type: string }) => {
      if (message.type === 'ready') resolve();
      else replies.shift()?.(message);
    });
  });
  return {
    ask: <T>(message: Record<string, unknown>) =>
      new Promise<T>((resolve) => {
        replies.push((reply) => resolve(reply as T));
        node.send(message);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (node.exitCode !== null) return resolve();
        node.once('exit', () => resolve());
        node.disconnect();
        setTimeout(() => node.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** The media_legs line of `npm run bench`. */
export async function mediaLegs(): Promise<string> {
  const node = await startNode();
  const ask = node.ask;
  const peers = new RtpEndpoint({ ports: { min: 46000, max: 51999 }, bindAddress: '127.0.0.1' });
  const tone = Int16Array.from({ length: 8000 * 600 }, (_, i) =>
    Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
  );
  const results: Array<{ legs: number; m: Measured; ok: boolean }> = [];
  let baseline = { p50: Number.NaN, p99: Number.NaN };
  try {
    baseline = await ask<{ p50: number; p99: number }>({ type: 'baseline', seconds: SECONDS });
    process.stderr.write(
      `media_legs: baseline, a bare 20 ms timer in the node: late p50 ${baseline.p50} ms, p99 ${baseline.p99} ms\n`,
    );
    for (const count of STEPS) {
      const far: RtpLeg[] = [];
      for (let i = 0; i < count; i++) far.push(await peers.openLeg());
      const { ports } = await ask<{ ports: number[] }>({
        type: 'open',
        peerPorts: far.map((leg) => leg.localPort),
      });
      far.forEach((leg, i) => {
        leg.setRemote({ address: '127.0.0.1', port: ports[i] as number });
        void leg.play(tone);
      });
      // Warm-up: every leg latched and flowing both ways before the window opens.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const m = await ask<Measured>({ type: 'measure', seconds: SECONDS });
      await ask({ type: 'close' });
      await Promise.all(far.map((leg) => leg.close()));
      const ok = m.p99 <= GOAL_P99_MS && m.lost === 0 && m.received > 0;
      results.push({ legs: count, m, ok });
      process.stderr.write(
        `media_legs: ${count} legs: send lateness p50 ${m.p50} ms p99 ${m.p99} ms max ${m.maxLate} ms (timer fired p99 ${m.timerP99} ms late, the loop over legs added p99 ${m.spreadP99} ms); received ${m.received} of ${m.expected} (lost ${m.lost}); ${m.analysed} frames analysed; CPU ${cpuPerLeg(m, count)}\n`,
      );
      if (!ok) break;
    }
  } finally {
    await peers.close();
    await node.stop();
  }
  const best = results.filter((r) => r.ok).at(-1);
  const detail = results
    .map(
      (r) =>
        `${r.legs}: p99 ${r.m.p99} ms (timer ${r.m.timerP99}, loop ${r.m.spreadP99}), lost ${r.m.lost}/${r.m.expected}, CPU ${cpuPerLeg(r.m, r.legs)}`,
    )
    .join('; ');
  return `media_legs: ${best?.legs ?? 0} (goal ≥ 500 legs with send pacing jitter p99 ≤ ${GOAL_P99_MS} ms and no receive loss; ${detail}; baseline: a bare 20 ms timer in the same process fires p99 ${baseline.p99} ms late; node in its own process, ${SECONDS} s per step)`;
}

/** CPU of the node per leg, as a share of one core. */
function cpuPerLeg(m: Measured, legs: number): string {
  const perTick = m.cpuMs / (m.elapsedMs / 20);
  return `${((m.cpuMs / m.elapsedMs / legs) * 100).toFixed(3)} % of a core per leg, ${perTick.toFixed(2)} ms CPU per 20 ms tick`;
}
