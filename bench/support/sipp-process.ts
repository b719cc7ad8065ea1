import { spawn } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from '../../test/e2e/support/sipp.ts';

/** The sipp XML scenarios of the end-to-end tests, reused by the SIP measures. */
export const SCENARIOS = fileURLToPath(new URL('../../test/e2e/scenarios/', import.meta.url));

/** One sipp process on 127.0.0.1. */
export interface SippProcess {
  pid: number;
  /** Its exit code once it has run its calls (`-m`). */
  done: Promise<number | null>;
  kill: () => void;
}

/**
 * A 4 MB socket buffer, as pconn's (src/telephony/sip/transport/udp-transport.ts): with sipp's
 * small default, a burst that arrives while sipp is descheduled on a loaded machine is dropped, and
 * the measure then counts retransmission timers (or a call sipp aborts) rather than throughput.
 */
const SIPP_SOCKET_BUFFER = ['-buff_size', String(4 * 1024 * 1024)];

/** Starts sipp with `args`; it runs until its call count is reached or it is killed. */
export function runSipp(args: string[]): SippProcess {
  const child = spawn('sipp', [...args, ...SIPP_SOCKET_BUFFER, '-nostdin', '-i', '127.0.0.1'], {
    stdio: 'ignore',
  });
  return {
    pid: child.pid as number,
    done: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * sipp running one of the repo's scenarios (a file name in test/e2e/scenarios, or an absolute
 * path) for `calls` calls on `port` (`extra`: more sipp
 * options); BENCH_SIPP_ERRORS=<dir> keeps each scenario's error log there (diagnosis).
 */
export function runScenario(
  scenario: string,
  port: number,
  calls: number,
  extra: string[] = [],
): SippProcess {
  const errors = process.env.BENCH_SIPP_ERRORS
    ? ['-trace_err', '-error_file', join(process.env.BENCH_SIPP_ERRORS, `${basename(scenario)}.err`)]
    : [];
  return runSipp([
    '-sf',
    // A scenario of the end-to-end tests by name, or a bench's own by absolute path.
    resolve(SCENARIOS, scenario),
    '-p',
    String(port),
    '-m',
    String(calls),
    ...extra,
    ...errors,
  ]);
}

/**
 * The rate sipp → sipp is offered in the SIP measures' baseline (`-r`), as it has been since the
 * measures began: issue 15's goals (`sip_cps_ratio` ≥ 0.15, "half of today's driver floor") were
 * set against that baseline. sipp's built-in UAC → UAS reaches this cap on this machine, so the
 * baseline is the cap (~4,860 calls/s over 3,000 calls), not what sipp can do, and it does not move
 * with the machine's speed as pconn does: uncapped, sipp runs three to four times as fast.
 */
const BASELINE_OFFERED_RATE = 5000;

/** sipp's offered rate when asked to go as fast as it can (500 calls in flight then bound it). */
const UNCAPPED_OFFERED_RATE = 100_000;

/** Calls of the uncapped run: at ~20,000 calls/s fewer would be over before sipp's start-up is. */
const UNCAPPED_CALLS = 10_000;

/** The SIP measures' baseline, and what sipp does uncapped in the same run. */
export interface SippBaseline {
  /** sipp → sipp calls/s offered at BASELINE_OFFERED_RATE: the baseline of the goals. */
  cps: number;
  /** False when any call of the baseline's run failed. */
  ok: boolean;
  /** sipp → sipp calls/s offered far beyond what it can do. */
  uncappedCps: number;
  /** False when any call of the uncapped run failed: a reference, so it fails no measure. */
  uncappedOk: boolean;
}

/**
 * The baseline of the SIP measures: sipp's built-in UAC → UAS (500 calls in flight at most) for
 * `calls` calls offered at BASELINE_OFFERED_RATE, in calls per second, and then uncapped.
 */
export async function sippToSippCps(calls: number): Promise<SippBaseline> {
  const capped = await sippToSipp(calls, BASELINE_OFFERED_RATE);
  const uncapped = await sippToSipp(Math.max(calls, UNCAPPED_CALLS), UNCAPPED_OFFERED_RATE);
  return { cps: capped.cps, ok: capped.ok, uncappedCps: uncapped.cps, uncappedOk: uncapped.ok };
}

/**
 * The baseline as the SIP measures print it, with `cps` (the measured server's rate) against
 * sipp uncapped beside the ratio of the goal.
 */
export function describeSippBaseline(baseline: SippBaseline, cps: number): string {
  return `sipp→sipp ${baseline.cps.toFixed(0)} calls/s offered at ${BASELINE_OFFERED_RATE}/s (the baseline the goal was set against; uncapped it ran ${baseline.uncappedCps.toFixed(0)}/s${baseline.uncappedOk ? '' : ' with failed calls'}, against which this is ${(cps / baseline.uncappedCps).toFixed(3)})`;
}

/** sipp → sipp for `calls` calls offered at `rate` a second: calls/s, and whether all succeeded. */
async function sippToSipp(calls: number, rate: number): Promise<{ cps: number; ok: boolean }> {
  const port = await freeUdpPort();
  const uas = runSipp(['-sn', 'uas', '-p', String(port)]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  const uac = runSipp([
    '-sn',
    'uac',
    '-p',
    String(await freeUdpPort()),
    '-m',
    String(calls),
    '-r',
    String(rate),
    '-l',
    '500',
    '-d',
    '0',
    `127.0.0.1:${port}`,
  ]);
  const code = await uac.done;
  const seconds = (performance.now() - started) / 1000;
  uas.kill();
  return { cps: calls / seconds, ok: code === 0 };
}
