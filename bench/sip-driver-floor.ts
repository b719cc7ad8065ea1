/**
 * sip_driver_floor (a reference, not a goal of shared/bench.md): bridged calls per second of
 * pconn's SIP driver on its own — no store, no dialer, no HTTP — through the same flow and sipp
 * scenarios as sip_cps_ratio, ÷ sipp → sipp in the same run. It bounds sip_cps_ratio from above:
 * pconn drives this same driver and also makes every step of every call durable.
 *
 * Calls start at a steady rate; the rate rises until a run has a failure, and the best run with
 * none is reported, with the CPU time this process spent per bridged call.
 *
 * BENCH_FLOOR_RATE=<calls/s> measures CPU per bridged call instead (calls/s is noisy on a shared
 * machine, CPU per call much less so): one warm-up run, then BENCH_FLOOR_RUNS (default 5) runs at
 * that fixed rate, each printed, and their median.
 */
import { freeUdpPort } from '../test/e2e/support/sipp.ts';
import { startFloorCalls } from './support/floor-calls.ts';
import { describeSippBaseline, runScenario, sippToSippCps } from './support/sipp-process.ts';

const CALLS_PER_RUN = 2000;
const RATES = [500, 1000, 1500, 2000, 2500, 3000, 4000];

interface FloorRun {
  cps: number;
  failures: number;
  /** CPU time of this process (user + system, every thread) per call started, µs. */
  cpuPerCallUs: number;
  /** Of which system (kernel) time, µs: sockets, mostly. */
  systemPerCallUs: number;
}

/** CALLS_PER_RUN bridged calls started at `rate` per second. */
async function floorRun(rate: number): Promise<FloorRun> {
  const agentPort = await freeUdpPort();
  const contactPort = await freeUdpPort();
  const agents = runScenario('agent-answers.xml', agentPort, CALLS_PER_RUN);
  const contacts = runScenario('contact-hangs-up.xml', contactPort, CALLS_PER_RUN);
  // Each call's end, told whether it was bridged (floor-calls.ts reports `failed` otherwise).
  const endings = new Map<string, (bridged: boolean) => void>();
  const driver = await startFloorCalls(
    { agent: agentPort, contact: contactPort },
    (step) => {
      if (step.status === 'completed' || step.status === 'failed')
        endings.get(step.id)?.(step.status === 'completed');
    },
    // No trunk limit of its own in the way: the rates stepped through go past pconn's 1,000/s.
    { maxConcurrent: 100_000, cps: 100_000 },
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const calls: Promise<boolean>[] = [];
    for (let i = 0; i < CALLS_PER_RUN; i++) {
      const wait = started + (i / rate) * 1000 - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = `floor-${i}`;
      calls.push(new Promise<boolean>((resolve) => endings.set(id, resolve)));
      driver.dial({ id, userId: `agent${i}` });
    }
    const ended = await Promise.race([
      Promise.all(calls),
      // unref: a run that ended in time must not hold the bench's process open for the rest.
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000).unref()),
    ]);
    const codes = await Promise.race([
      Promise.all([agents.done, contacts.done]),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000).unref()),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const unbridged = ended ? ended.filter((bridged) => !bridged).length : CALLS_PER_RUN;
    const sippFailed = codes?.every((code) => code === 0) ? 0 : 1;
    return {
      cps: CALLS_PER_RUN / seconds,
      failures: unbridged + sippFailed,
      cpuPerCallUs: (cpu.user + cpu.system) / CALLS_PER_RUN,
      systemPerCallUs: cpu.system / CALLS_PER_RUN,
    };
  } finally {
    agents.kill();
    contacts.kill();
    await driver.close();
  }
}

/** The sip_driver_floor line of `npm run bench`. */
export async function sipDriverFloor(): Promise<string> {
  const fixedRate = Number(process.env.BENCH_FLOOR_RATE ?? 0);
  if (fixedRate > 0) return cpuPerCall(fixedRate, Number(process.env.BENCH_FLOOR_RUNS ?? 5));
  const baseline = await sippToSippCps(CALLS_PER_RUN * 2);
  let best: (FloorRun & { rate: number }) | undefined;
  for (const rate of RATES) {
    const run = await floorRun(rate);
    if (run.failures > 0) break;
    if (!best || run.cps > best.cps) best = { ...run, rate };
  }
  const figure = best ? (best.cps / baseline.cps).toFixed(3) : 'n/a';
  return `sip_driver_floor: ${figure} (reference, the ceiling of sip_cps_ratio on this machine; the SIP driver alone ${best ? `${best.cps.toFixed(0)} bridged calls/s with 0 failures (started at ${best.rate}/s, ${best.cpuPerCallUs.toFixed(0)} µs of CPU per call)` : 'failed at every rate'}, ${describeSippBaseline(baseline, best?.cps ?? 0)}; ${CALLS_PER_RUN} calls per rate)`;
}

/** BENCH_FLOOR_RATE: CPU µs per bridged call at a fixed start rate, `runs` runs after a warm-up. */
async function cpuPerCall(rate: number, runs: number): Promise<string> {
  await floorRun(rate);
  const figures: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await floorRun(rate);
    process.stderr.write(
      `sip_driver_floor run ${i + 1}: ${run.cpuPerCallUs.toFixed(0)} µs CPU per call (${run.systemPerCallUs.toFixed(0)} µs system), ${run.failures} failures\n`,
    );
    figures.push(run.cpuPerCallUs);
  }
  const sorted = [...figures].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `sip_driver_floor_cpu: ${median.toFixed(0)} µs of CPU per bridged call (median of ${runs} runs of ${CALLS_PER_RUN} calls started at ${rate}/s: ${figures.map((f) => f.toFixed(0)).join(', ')})`;
}
