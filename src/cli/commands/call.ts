import type { Command } from 'commander';
import type { Call, CampaignCallInput, DirectCallInput, PconnClient } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { resolveContact } from '../contact-reference.ts';
import { followCall } from '../follow-call.ts';
import { readJsonArgument } from '../input-files.ts';
import { EXIT, print, run } from '../output.ts';
import { UsageError } from '../usage-error.ts';
import { type TransitionContext, transitionLine } from '../watch/transition-line.ts';

interface CallOptions extends ConnectionOptions {
  campaign?: string;
  contact?: string;
  phoneType?: string;
  user?: string;
  to?: string;
  callerId?: string;
  reason?: string;
  metadata?: string;
  idempotencyKey?: string;
  dryRun?: boolean;
  watch?: boolean;
  timeout?: string;
}

/**
 * `pconn call`: a campaign call (`--campaign --contact`) or a direct call (`--user --to`);
 * `--watch` follows it until it ends (exit 0 when completed, 1 when it failed, was canceled or
 * blocked); `--dry-run` asks whether it would be allowed now.
 */
export function registerCallCommand(program: Command): void {
  withConnection(
    program.command('call').description('place a call (campaign contact, or direct to a number)'),
  )
    .option('--campaign <id>', 'campaign of the call (with --contact)')
    .option('--contact <id>', 'contact to call (with --campaign): its id, or your externalId')
    .option('--phone-type <type>', "which of the contact's numbers (mobile, work …)")
    .option('--user <id>', 'agent who takes the call (required for direct calls)')
    .option('--to <e164>', 'direct call: the number to call')
    .option('--caller-id <e164>', 'direct call: verified caller id to present')
    .option('--reason <text>', 'why the call is made')
    .option('--metadata <json|@file>', 'your data, echoed in events')
    .option('--idempotency-key <key>', 'reuse to make a retried command safe')
    .option('--dry-run', 'only check whether the call would be allowed now')
    .option('--watch', 'follow the call until it ends')
    .option('--timeout <seconds>', 'give up watching after this long', '600')
    .action((options: CallOptions) =>
      run(options, async () => {
        const client = clientFrom(options);
        const shared = {
          ...(options.reason ? { reason: options.reason } : {}),
          ...(options.metadata
            ? { metadata: readJsonArgument(options.metadata) as Record<string, unknown> }
            : {}),
        };
        const keyed = options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {};
        let call: Call;
        if (options.campaign) {
          if (!options.contact)
            throw new UsageError('a campaign call needs --contact <id> (a contact id or your externalId)');
          if (options.to)
            throw new UsageError('--to is for direct calls: leave out --campaign, or use --contact');
          const contact = await resolveContact(client, options.contact);
          if (contact.externalId && !options.json)
            process.stderr.write(`contact: externalId '${contact.externalId}' is ${contact.contactId}\n`);
          const input: CampaignCallInput = {
            contactId: contact.contactId,
            ...(options.phoneType ? { phoneType: options.phoneType } : {}),
            ...(options.user ? { userId: options.user } : {}),
            ...shared,
          };
          if (options.dryRun)
            return dryRun(options, await client.calls.dryRunForCampaign(options.campaign, input));
          call = await client.calls.createForCampaign(options.campaign, input, keyed);
        } else if (options.to) {
          if (!options.user)
            throw new UsageError('a direct call needs --user <id> (whose device rings first)');
          const input: DirectCallInput = {
            userId: options.user,
            to: options.to,
            ...(options.callerId ? { callerId: options.callerId } : {}),
            ...shared,
          };
          if (options.dryRun) return dryRun(options, await client.calls.dryRunDirect(input));
          call = await client.calls.createDirect(input, keyed);
        } else {
          throw new UsageError('say whom to call: --campaign ID --contact ID, or --user ID --to +E164');
        }
        if (!options.watch) {
          print(options.json === true, call, () => [
            `call ${call.id} ${call.status}`,
            `  follow: pconn calls get ${call.id}`,
          ]);
          return EXIT.ok;
        }
        const context = await transitionContext(client, call.campaignId);
        const final = await followCall(client, call.id, {
          timeoutMs: Number(options.timeout) * 1000,
          onEvent: (event) => {
            if (!options.json) process.stdout.write(`${transitionLine(event, context)}\n`);
          },
        });
        if (options.json) print(true, final, () => []);
        return final.status === 'completed' ? EXIT.ok : EXIT.failed;
      }),
    );
}

/** The campaign's attempt cap, for "attempt 2 of 3" (left out when the campaign cannot be read). */
async function transitionContext(client: PconnClient, campaignId: string | null): Promise<TransitionContext> {
  if (!campaignId) return {};
  try {
    return { maxAttempts: (await client.campaigns.get(campaignId)).maxAttemptsPerContact };
  } catch {
    return {};
  }
}

function dryRun(
  options: CallOptions,
  result: {
    allowed: boolean;
    nextAllowedAt: string | null;
    decision: { rules: Array<{ rule: string; result: string; detail: string }> };
  },
): number {
  print(options.json === true, result, () => [
    result.allowed
      ? 'allowed now'
      : `not allowed now${result.nextAllowedAt ? `; next allowed at ${result.nextAllowedAt}` : ''}`,
    ...result.decision.rules.map((r) => `  ${r.result.padEnd(8)} ${r.rule}: ${r.detail}`),
  ]);
  return result.allowed ? EXIT.ok : EXIT.failed;
}
