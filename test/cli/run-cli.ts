import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where bin/pconn.js lives). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a CLI run left behind. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pconn login` against a test server as its admin client; `secret` overrides the right one. */
export function loginArgs(
  server: { url: string; adminId: string; adminSecret: string },
  options: { profile?: string; secret?: string } = {},
): string[] {
  return [
    'login',
    ...(options.profile ? ['--profile', options.profile] : []),
    '--url',
    server.url,
    '--client-id',
    server.adminId,
    '--client-secret',
    options.secret ?? server.adminSecret,
  ];
}

/** The environment that points the CLI at a test server as its admin, profiles in `configDir`. */
export function serverEnv(
  server: { url: string; adminId: string; adminSecret: string },
  configDir: string,
): Record<string, string> {
  return {
    PCONN_CONFIG_DIR: configDir,
    PCONN_URL: server.url,
    PCONN_CLIENT_ID: server.adminId,
    PCONN_CLIENT_SECRET: server.adminSecret,
  };
}

/** A fresh, empty config dir for one test file's profiles. */
export function tempConfigDir(): string {
  return mkdtempSync(join(tmpdir(), 'pconn-cli-'));
}

/** The environment a CLI run sees: this process's minus PCONN_* and DATABASE_URL, plus `extra`. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('PCONN_') && key !== 'DATABASE_URL') env[key] = value;
  }
  return Object.assign(env, extra);
}

/**
 * Runs `pconn …args`: in this process (see runCliInProcess) unless it reads stdin, which only a
 * process of its own has; `runCliProcess` is there for what only a real process shows.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return options.input === undefined ? runCliInProcess(args, options) : runCliProcess(args, options);
}

/**
 * Runs `node bin/pconn.js …args` as a user would, asynchronously (the server under test lives
 * in this process, so a synchronous spawn would deadlock it). Inherited PCONN_* variables are
 * cleared so the developer's own profile or server never leaks into a test.
 */
export function runCliProcess(
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env = cliEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/pconn.js'), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** What one in-process CLI run sees as its process: its environment, output and exit code. */
interface CliRun {
  env: Record<string, string>;
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}
const currentRun = new AsyncLocalStorage<CliRun>();
let installed = false;

/**
 * Routes process.env, process.stdout/stderr.write and the CLI's exit code to the CLI run whose
 * async context reads them, and to the real ones everywhere else (the server under test, the
 * test runner's own reporting). Runs at once (Promise.all of several) each see their own.
 */
function installProcessRouting(setExitCode: { set(code: number): void }): void {
  if (installed) return;
  installed = true;
  const setReal = setExitCode.set.bind(setExitCode);
  setExitCode.set = (code: number) => {
    const run = currentRun.getStore();
    if (run) run.exitCode = code;
    else setReal(code);
  };
  const realEnv = process.env;
  const envOf = (): Record<string, string | undefined> => currentRun.getStore()?.env ?? realEnv;
  process.env = new Proxy(realEnv, {
    get: (_target, key) => (typeof key === 'string' ? envOf()[key] : undefined),
    set: (_target, key, value) => {
      if (typeof key === 'string') envOf()[key] = String(value);
      return true;
    },
    has: (_target, key) => typeof key === 'string' && key in envOf(),
    deleteProperty: (_target, key) => {
      if (typeof key === 'string') delete envOf()[key];
      return true;
    },
    ownKeys: () => Reflect.ownKeys(envOf()),
    getOwnPropertyDescriptor: (_target, key) => {
      const env = envOf();
      if (typeof key !== 'string' || !(key in env)) return undefined;
      return { value: env[key], writable: true, enumerable: true, configurable: true };
    },
  });
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const run = currentRun.getStore();
      if (!run) return write(chunk, ...rest);
      run[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
      const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    }) as typeof stream.write;
  }
}

/**
 * Runs `pconn …args` in this process, as bin/pconn.js would (same program, same environment
 * rules, its output and exit code captured), without the ~1 s a tsx process costs to start. An
 * error the CLI lets escape is what Node would print for it, with exit code 1.
 */
export async function runCliInProcess(
  args: string[],
  options: { env?: Record<string, string> } = {},
): Promise<CliResult> {
  const { runProgram } = await import('../../src/cli/program.ts');
  const { exitCodeSink } = await import('../../src/cli/output.ts');
  installProcessRouting(exitCodeSink);
  const run: CliRun = { env: cliEnv(options.env), stdout: '', stderr: '', exitCode: undefined };
  await currentRun.run(run, async () => {
    try {
      await runProgram([process.execPath, join(ROOT, 'bin/pconn.js'), ...args]);
    } catch (error) {
      run.stderr += `${(error as Error)?.stack ?? String(error)}\n`;
      run.exitCode = 1;
    }
  });
  return { code: run.exitCode ?? 0, stdout: run.stdout, stderr: run.stderr };
}
