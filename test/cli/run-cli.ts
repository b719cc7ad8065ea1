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

/**
 * Runs `node bin/pconn.js …args` as a user would, asynchronously (the server under test lives
 * in this process, so a synchronous spawn would deadlock it). Inherited PCONN_* variables are
 * cleared so the developer's own profile or server never leaks into a test.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('PCONN_') && key !== 'DATABASE_URL') env[key] = value;
  }
  Object.assign(env, options.env);
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
