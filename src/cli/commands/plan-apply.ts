import type { Command } from 'commander';
import type { FieldError, PconnClient } from '../../sdk/index.ts';
import { ConfigFileError, loadConfigDocument } from '../config-as-code/config-document.ts';
import {
  makePlan,
  type Plan,
  planLines,
  publicChange,
  publicPlan,
  type ResourceChange,
} from '../config-as-code/plan.ts';
import { preflight } from '../config-as-code/preflight.ts';
import { PHONE_TYPES, RESOURCE_KINDS } from '../config-as-code/resource-kinds.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { EXIT, print, run } from '../output.ts';

interface PlanOptions extends ConnectionOptions {
  file: string;
  prune?: boolean;
}

/** One problem per line: `pointer → detail (hint: …)`. */
function errorLine(e: FieldError): string {
  return `  ${e.pointer || '(file)'} → ${e.detail}${e.hint ? ` (hint: ${e.hint})` : ''}`;
}

/** Every problem of the file, one field per line. */
function fileErrorLines(error: ConfigFileError): string[] {
  return [
    `error: ${error.file} is not a valid pconn configuration (${error.errors.length} problem(s))`,
    ...error.errors.map(errorLine),
  ];
}

/** Prints the server's refusals of a dry run (all of them) and answers exit code 1. */
function refusedLines(options: PlanOptions, errors: FieldError[]): number {
  if (options.json)
    process.stderr.write(`${JSON.stringify({ file: options.file, written: false, errors }, null, 2)}\n`);
  else
    process.stderr.write(
      `${[
        `error: the server refuses ${errors.length} problem(s) in ${options.file}; nothing was written`,
        ...errors.map(errorLine),
      ].join('\n')}\n`,
    );
  return EXIT.failed;
}

/** Loads the file; a bad file is printed (all problems) and answered with exit code 1. */
function load(options: PlanOptions): ReturnType<typeof loadConfigDocument> | number {
  try {
    return loadConfigDocument(options.file);
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    if (options.json)
      process.stderr.write(`${JSON.stringify({ file: error.file, errors: error.errors }, null, 2)}\n`);
    else process.stderr.write(`${fileErrorLines(error).join('\n')}\n`);
    return EXIT.failed;
  }
}

async function applyChange(client: PconnClient, change: ResourceChange): Promise<string | undefined> {
  if (change.kind === PHONE_TYPES.key) {
    await client.settings.putPhoneTypes(change.body as { phoneTypes: string[] });
    return undefined;
  }
  const kind = RESOURCE_KINDS.find((k) => k.key === change.kind);
  const path = `${kind?.path}/${encodeURIComponent(change.id)}`;
  if (change.action === 'delete') {
    await client.request('DELETE', path);
    return undefined;
  }
  const answer = await client.request<{ secret?: string }>('PUT', path, { body: change.body });
  return answer?.secret;
}

/**
 * `pconn plan -f pconn.yaml` shows the field-level diff between the file and the server;
 * `pconn apply -f pconn.yaml` makes the server match with idempotent PUTs (`--prune` also
 * deletes undeclared resources of the declared kinds). Apply first has the server check every
 * change (`?dryRun=true`) and writes nothing when any is refused, listing them all (exit 1).
 */
export function registerPlanApplyCommands(program: Command): void {
  for (const name of ['plan', 'apply'] as const) {
    withConnection(
      program
        .command(name)
        .description(
          name === 'plan' ? 'show what apply would change' : 'make the server match the config file',
        ),
    )
      .requiredOption('-f, --file <path>', 'config file (YAML or JSON), e.g. pconn.yaml')
      .option('--prune', 'also delete resources of the declared kinds that the file does not list')
      .action((options: PlanOptions) =>
        run(options, async () => {
          const document = load(options);
          if (typeof document === 'number') return document;
          const client = clientFrom(options);
          const plan: Plan = await makePlan(client, document, options.prune === true);
          if (name === 'plan') {
            print(options.json === true, publicPlan(plan), () => planLines(plan));
            return EXIT.ok;
          }
          // The whole file is checked by the server before the first write: a refused webhook
          // URL must not leave the caller ids and users before it applied.
          const refused = await preflight(client, plan.changes);
          if (refused.length > 0) return refusedLines(options, refused);
          const applied: Array<ResourceChange & { secret?: string }> = [];
          if (!options.json) process.stdout.write(`${planLines(plan).join('\n')}\n`);
          for (const change of plan.changes) {
            const secret = await applyChange(client, change);
            applied.push({ ...publicChange(change), ...(secret ? { secret } : {}) });
            if (!options.json) {
              process.stdout.write(`${change.action}d ${change.kind}/${change.id}\n`);
              if (secret) process.stdout.write(`  signing secret (shown once, store it now): ${secret}\n`);
            }
          }
          if (options.json) print(true, { applied, summary: plan.summary }, () => []);
          else if (plan.changes.length > 0)
            process.stdout.write(`Apply complete: ${plan.changes.length} change(s).\n`);
          return EXIT.ok;
        }),
      );
  }
}
