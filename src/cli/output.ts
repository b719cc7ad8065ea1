import { PconnApiError } from '../sdk/pconn-api-error.ts';

/** Exit codes: 0 ok, 1 check failed, 2 usage/config, 3 API refused the request, 4 unreachable. */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, unreachable: 4 } as const;

/** Prints a result as JSON (`--json`) or as the human lines given. */
export function print(json: boolean, value: unknown, human: () => string[]): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human().join('\n')}\n`);
}

/**
 * Prints an error the way a person can act on it — the problem's title, detail, each pointer
 * with its hint — never a stack trace; returns the exit code.
 */
export function printError(error: unknown, json: boolean): number {
  if (error instanceof PconnApiError) {
    if (json) process.stderr.write(`${JSON.stringify(error.problem, null, 2)}\n`);
    else {
      const p = error.problem;
      const lines = [`error: ${p.title} (${p.code}, HTTP ${p.status})`, `  ${p.detail}`];
      for (const e of p.errors ?? []) {
        lines.push(
          `  - ${e.line !== undefined ? `line ${e.line} ` : ''}${e.pointer || '(body)'}: ${e.detail}${e.hint ? `\n      hint: ${e.hint}` : ''}`,
        );
      }
      if (p.requestId) lines.push(`  request id: ${p.requestId} (pconn explain ${p.requestId})`);
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    return EXIT.refused;
  }
  const message = error instanceof Error ? error.message : String(error);
  const unreachable =
    /fetch failed|ECONNREFUSED|ENOTFOUND/.test(message) ||
    (error as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED';
  process.stderr.write(`error: ${unreachable ? 'cannot reach the pconn server' : message}\n`);
  return unreachable ? EXIT.unreachable : EXIT.usage;
}
