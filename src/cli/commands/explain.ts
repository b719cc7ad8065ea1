import type { Command } from 'commander';
import type { AuditEvent, FieldError, PconnClient, Problem } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { type CallerIdSource, explainCallerId } from '../explain/caller-id-origin.ts';
import { rebuildFieldErrors } from '../explain/rebuild-problem.ts';
import { EXIT, print, run } from '../output.ts';

/** What `pconn explain` found out about one request. */
export interface Explanation {
  requestId: string;
  method: string;
  route: string;
  path: string;
  at: string;
  status: number;
  code: string | null;
  title: string | null;
  detail: string | null;
  whatHappened: string | null;
  howToFix: string | null;
  errors: FieldError[];
  /** For `caller_id_not_verified`: whether the caller id came from the request, the campaign or the tenant default. */
  callerIdSource?: CallerIdSource;
}

interface ProblemTypeDoc {
  title: string;
  description: string;
  fix: string;
}

async function problemType(client: PconnClient, code: string): Promise<ProblemTypeDoc | undefined> {
  const response = await client.fetchRaw('GET', `/problems/${encodeURIComponent(code)}`);
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  return (await response.json()) as ProblemTypeDoc;
}

/** Builds the explanation from the audit entry, its stored problem (if any) and the problem type's page. */
export async function explainRequest(client: PconnClient, entry: AuditEvent): Promise<Explanation> {
  const stored = entry.problem && typeof entry.problem === 'object' ? (entry.problem as Problem) : undefined;
  const doc = entry.code ? await problemType(client, entry.code) : undefined;
  const callerId =
    entry.code === 'caller_id_not_verified'
      ? explainCallerId({ route: entry.route, path: entry.path, body: entry.body, problem: stored })
      : undefined;
  // A refused caller id is explained by where it came from, which the stored problem cannot say.
  const errors = callerId
    ? [callerId.error]
    : stored?.errors?.length
      ? stored.errors
      : rebuildFieldErrors({ method: entry.method, route: entry.route, code: entry.code, body: entry.body });
  return {
    requestId: entry.requestId,
    method: entry.method,
    route: entry.route,
    path: entry.path,
    at: entry.at,
    status: entry.status,
    code: entry.code,
    title: stored?.title ?? doc?.title ?? null,
    detail: stored?.detail ?? null,
    whatHappened: doc?.description ?? null,
    howToFix: doc?.fix ?? null,
    errors,
    ...(callerId ? { callerIdSource: callerId.source } : {}),
  };
}

function lines(e: Explanation): string[] {
  const head = [`request ${e.requestId}: ${e.method} ${e.path} (route ${e.route}) at ${e.at}`];
  if (e.status < 400) return [...head, `  it succeeded (HTTP ${e.status}): nothing to fix`];
  const out = [...head, `  answered HTTP ${e.status} ${e.code ?? ''}${e.title ? `: ${e.title}` : ''}`];
  if (e.whatHappened || e.detail) out.push('', 'what was wrong:', `  ${e.detail ?? e.whatHappened}`);
  for (const error of e.errors) {
    out.push(
      `  - ${error.line !== undefined ? `line ${error.line} ` : ''}${error.pointer || '(whole body)'}: ${error.detail}`,
    );
    if (error.hint) out.push(`      hint: ${error.hint}`);
  }
  if (e.howToFix) out.push('', 'how to fix it:', `  ${e.howToFix}`);
  return out;
}

/**
 * `pconn explain REQUEST_ID`: reads the request's audit entry and says in plain words what was
 * wrong with it and how to fix it — status, code, title, then each pointer with its detail and
 * hint. Exit 0 when explained, 1 when the tenant's audit trail has no such request.
 */
export function registerExplainCommand(program: Command): void {
  withConnection(
    program
      .command('explain')
      .description('explain what was wrong with a request (by the request id of its answer)')
      .argument('<requestId>'),
  ).action((requestId: string, options: ConnectionOptions) =>
    run(options, async () => {
      const client = clientFrom(options);
      const entry = await client.audit.byRequestId(requestId);
      if (!entry) {
        print(options.json === true, { requestId, found: false }, () => [
          `no request ${requestId} in your tenant's audit trail`,
          '  (requests refused before authentication, such as a 401, belong to no tenant)',
        ]);
        return EXIT.failed;
      }
      const explanation = await explainRequest(client, entry);
      print(options.json === true, explanation, () => lines(explanation));
      return EXIT.ok;
    }),
  );
}
