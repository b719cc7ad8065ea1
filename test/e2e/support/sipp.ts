import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipWithout } from './required-tool.ts';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));

/**
 * The `skip` option of tests that need sipp (Debian package sip-tester): false when installed;
 * a clear skip locally, a failing test on CI (see skipWithout).
 */
export function skipWithoutSipp(): false | string {
  return skipWithout('sipp', 'sip-tester');
}

/** A free UDP port on 127.0.0.1, picked by the OS (released just before sipp binds it). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * Resolves once a socket is bound to UDP `port` — read from /proc/net/udp, where each socket's
 * local address is `HEXIP:HEXPORT` — or once sipp has exited (its errors then tell why). Waits
 * at most 10 s; without /proc (not Linux) it returns at once.
 */
async function udpPortBound(port: number, exited: Promise<unknown>): Promise<void> {
  const localPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const bound = () => {
    try {
      return readFileSync('/proc/net/udp', 'utf8')
        .split('\n')
        .some((line) => line.trim().split(/\s+/)[1]?.endsWith(localPort));
    } catch {
      return undefined;
    }
  };
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = bound();
    if (state !== false || gone || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Options of one sipp peer. */
export interface SippOptions {
  /** File name under test/e2e/scenarios. */
  scenario: string;
  /** `host:port` to send to (client scenarios). */
  remote?: string;
  /** `-key name value` pairs, used as [name] in the scenario. */
  keys?: Record<string, string | number>;
  /** Percentage of messages sipp drops on purpose (`-lost`). */
  lost?: number;
  /** Calls before sipp exits (default 1). */
  calls?: number;
  /** Length of the scenario's `<pause/>` without duration, ms (sipp `-d`). */
  pauseMs?: number;
  /** Keep what the scenario's `<log>` actions write (`-trace_logs`), read with `logs()`. */
  logs?: boolean;
}

/** A running sipp process on 127.0.0.1. */
export interface Sipp {
  port: number;
  /** Resolves with sipp's exit code (0: every call passed its scenario). */
  exited: Promise<number | null>;
  /** The errors sipp logged (`-trace_err`), for assertion messages. */
  errors(): string;
  /** What the scenario's `<log>` actions wrote (with the `logs` option). */
  logs(): string;
  /** Kills sipp (SIGKILL after 1 s) and removes its files. */
  stop(): Promise<void>;
}

/**
 * Starts sipp in the foreground as a child process (never `-bg`: the test owns and kills it)
 * on a free port of 127.0.0.1, logging errors to a temporary directory.
 */
export async function startSipp(options: SippOptions): Promise<Sipp> {
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'pconn-sipp-'));
  const errorFile = join(dir, 'errors.log');
  const logFile = join(dir, 'actions.log');
  const args = [
    '-sf',
    join(SCENARIOS, options.scenario),
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-m',
    String(options.calls ?? 1),
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
    '-recv_timeout',
    '20000',
  ];
  if (options.lost) args.push('-lost', String(options.lost));
  if (options.pauseMs !== undefined) args.push('-d', String(options.pauseMs));
  if (options.logs) args.push('-trace_logs', '-log_file', logFile);
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push('-key', name, String(value));
  if (options.remote) args.push(options.remote);
  const child: ChildProcess = spawn('sipp', args, { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // An INVITE that reaches the port before sipp has bound it is lost, and on a loaded machine
  // sipp can take seconds to start: the call then runs late into its timers. The 150 ms it
  // always had stay on top, as a margin for the rest of its start-up.
  await udpPortBound(port, exited);
  await new Promise((resolve) => setTimeout(resolve, 150));
  return {
    port,
    exited,
    errors() {
      try {
        return readFileSync(errorFile, 'utf8');
      } catch {
        return '';
      }
    },
    logs() {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for sipp to exit, failing after `ms` with its error log. */
export async function sippResult(sipp: Sipp, ms = 15_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`sipp still running after ${ms} ms:\n${sipp.errors()}`)), ms);
  });
  try {
    return await Promise.race([sipp.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
