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
 * The baseline of the SIP measures: sipp's built-in UAC → UAS as fast as it goes (500 calls in
 * flight at most), in calls per second; `ok` is false when any call failed.
 */
export async function sippToSippCps(calls: number): Promise<{ cps: number; ok: boolean }> {
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
    '5000',
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
