import { PconnApiError, type Problem } from '../sdk/index.ts';
import { UsageError } from './usage-error.ts';

/**
 * Exit codes of every command (README "CLI"): 0 ok; 1 the API refused the request (a problem
 * document) or a check failed; 2 usage (bad flags, missing file, no profile); 3 cannot reach or
 * authenticate to the server (connection refused, timeout, 401/invalid_client).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** Prints a result as JSON (`--json`) or as the human lines given. */
export function print(json: boolean, value: unknown, human: () => string[]): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human().join('\n')}\n`);
}

/** The lines that explain a problem: title, code and status, detail, each pointer with detail and hint. */
export function problemLines(p: Problem): string[] {
  const lines = [`error: ${p.title} (${p.code}, HTTP ${p.status})`, `  ${p.detail}`];
  for (const e of p.errors ?? []) {
    const where = `${e.line !== undefined ? `line ${e.line} ` : ''}${e.pointer || '(whole body)'}`;
    lines.push(`  - ${where}: ${e.detail}`);
    if (e.hint) lines.push(`      hint: ${e.hint}`);
  }
  if (typeof p.pointer === 'string' && !(p.errors ?? []).length)
    lines.push(`  at ${p.pointer || '(whole body)'}`);
  if (p.requestId) lines.push(`  request id: ${p.requestId} (pconn explain ${p.requestId})`);
  return lines;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** True when `error` is a failure to reach the server at all. */
export function isUnreachable(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return (
    (error instanceof TypeError && /fetch failed/.test(error.message)) ||
    NETWORK_CODES.has(cause?.code ?? '') ||
    (error as { name?: string })?.name === 'TimeoutError'
  );
}

/**
 * Prints an error the way a person can act on it — the problem's title, detail, each pointer
 * with its hint — never a stack trace; returns the exit code.
 */
export function printError(error: unknown, json: boolean): number {
  if (error instanceof PconnApiError) {
    const auth = error.status === 401 || error.code === 'invalid_client';
    if (json) process.stderr.write(`${JSON.stringify(error.problem, null, 2)}\n`);
    else {
      const lines = problemLines(error.problem);
      if (auth) lines.push('  check the client id and secret (pconn login) — the server did not accept them');
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    return auth ? EXIT.unreachable : EXIT.failed;
  }
  if (isUnreachable(error)) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const message = `cannot reach the pconn server (${cause?.code ?? cause?.message ?? 'network error'})`;
    process.stderr.write(
      json ? `${JSON.stringify({ error: 'unreachable', detail: message })}\n` : `error: ${message}\n`,
    );
    return EXIT.unreachable;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    json ? `${JSON.stringify({ error: 'usage', detail: message })}\n` : `error: ${message}\n`,
  );
  return error instanceof UsageError ? EXIT.usage : EXIT.failed;
}

/**
 * Where the CLI leaves its exit code: process.exitCode. A seam for tests that run several CLI
 * invocations at once in their own process (test/cli/run-cli.ts), where each needs its own.
 */
export const exitCodeSink = {
  set(code: number): void {
    process.exitCode = code;
  },
};

/** Runs a command's action and sets the exit code from its outcome (errors printed, never thrown). */
export async function run(
  options: { json?: boolean },
  action: () => Promise<number | undefined>,
): Promise<void> {
  try {
    exitCodeSink.set((await action()) ?? EXIT.ok);
  } catch (error) {
    exitCodeSink.set(printError(error, options.json === true));
  }
}
