import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A TCP port free on 127.0.0.1 right now (for a server process that must keep its port across restarts). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `src/main.ts` as a real server process on `port` with its data under `dir` (file-backed
 * PGlite, so it survives SIGKILL), the bootstrap client `crash`/`secret`, a fast sandbox and short
 * dialer leases — what the kill-and-restart tests share — plus `env`; waits until /readyz answers.
 */
export async function startServerProcess(options: {
  port: number;
  dir: string;
  secret: string;
  env?: Record<string, string>;
  /** The script to run instead of src/main.ts (a test's wrapper around it). */
  entry?: string;
}): Promise<ChildProcess> {
  const { port, dir, secret, env = {}, entry = 'src/main.ts' } = options;
  const proc = spawn('node', ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      PORT: String(port),
      PCONN_DATA_DIR: join(dir, 'data'),
      PCONN_LOG_LEVEL: 'error',
      PCONN_BOOTSTRAP_CLIENT_ID: 'crash',
      PCONN_BOOTSTRAP_CLIENT_SECRET: secret,
      PCONN_SANDBOX_TIME_SCALE: '0.02',
      // Scaled ring timeouts stay far above the sandbox's answer delays even when the machine
      // is busy (crash tests restart nodes under load): 600 s × 0.02 = 12 s.
      PCONN_AGENT_RING_SECONDS: '600',
      PCONN_CONTACT_RING_SECONDS: '600',
      PCONN_DIALER_LEASE_SECONDS: '2',
      PCONN_DIALER_POLL_MS: '20',
      PCONN_RATE_LIMIT_RPS: '0',
      PCONN_SIP_ALLOW_DESTINATIONS: '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // A bound on a failure, not a wait: a loaded 2-core machine took over 60 s to start one.
  const deadline = Date.now() + 180_000;
  let exited: number | string | null | undefined;
  proc.once('exit', (code, signal) => {
    exited = code ?? signal;
  });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return proc;
    } catch {
      // not listening yet
    }
    if (exited !== undefined) throw new Error(`server exited (${exited}) before it was ready`);
    if (Date.now() > deadline) {
      // The caller never gets this process, so it could not stop it: a live child kept the test
      // file from ever ending (it ran into the 600 s file timeout).
      proc.kill('SIGKILL');
      throw new Error('server did not come up');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
