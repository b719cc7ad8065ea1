import type { Command } from 'commander';
import type { Call } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { print, run } from '../output.ts';
import { describeTransition } from '../watch/transition-line.ts';

/** The lines that describe one call and its attempts. */
export function callLines(call: Call): string[] {
  return [
    `${call.id}  ${call.status}${call.outcome ? ` (${call.outcome})` : ''}${call.sandbox ? '  [sandbox]' : ''}`,
    `  to ${call.to} from ${call.callerId ?? '-'}  agent ${call.userId ?? '(next available)'}  campaign ${call.campaignId ?? '-'}`,
    `  created ${call.createdAt}${call.scheduledFor ? `  scheduled for ${call.scheduledFor}` : ''}`,
    ...call.attempts.map(
      (a) =>
        `  attempt ${a.n}: ${a.startedAt} → ${a.endedAt ?? '…'} ${a.outcome ?? ''}${a.sipStatus ? ` SIP ${a.sipStatus}` : ''}`,
    ),
  ];
}

/** `pconn calls list|get|cancel`. */
export function registerCallsCommands(program: Command): void {
  const calls = program.command('calls').description('calls and their attempts');

  withConnection(calls.command('list').description('list calls'))
    .option('--campaign <id>', 'only calls of this campaign')
    .option('--status <status>', 'only calls in this status')
    .option('--limit <n>', 'at most this many', '100')
    .action((options: ConnectionOptions & { campaign?: string; status?: string; limit: string }) =>
      run(options, async () => {
        const rows: Call[] = [];
        const max = Number(options.limit);
        for await (const call of clientFrom(options).calls.list({
          campaignId: options.campaign,
          status: options.status,
        })) {
          rows.push(call);
          if (rows.length >= max) break;
        }
        print(options.json === true, rows, () =>
          rows.length === 0
            ? ['no calls']
            : rows.map(
                (c) =>
                  `${c.id}  ${c.status.padEnd(15)} ${c.to.padEnd(16)} ${c.campaignId ?? '-'}  ${c.createdAt}`,
              ),
        );
        return 0;
      }),
    );

  withConnection(calls.command('get').description('show a call with its attempts').argument('<id>'))
    .option('--events', "also print the call's timeline")
    .action((id: string, options: ConnectionOptions & { events?: boolean }) =>
      run(options, async () => {
        const client = clientFrom(options);
        const call = await client.calls.get(id);
        const timeline = options.events ? await client.calls.timeline(id) : undefined;
        print(options.json === true, timeline ? { ...call, timeline } : call, () => [
          ...callLines(call),
          ...(timeline ?? []).map(
            (e) => `  ${e.timestamp}  #${e.sequence} ${e.type.padEnd(20)} ${describeTransition(e)}`,
          ),
        ]);
        return 0;
      }),
    );

  withConnection(
    calls.command('cancel').description('cancel a call (hangs up live legs)').argument('<id>'),
  ).action((id: string, options: ConnectionOptions) =>
    run(options, async () => {
      const call = await clientFrom(options).calls.cancel(id);
      // A live call is hung up asynchronously: the answer may still show it connected.
      print(options.json === true, call, () => [
        call.status === 'canceled'
          ? `call ${call.id} is now canceled`
          : `cancel requested: call ${call.id} is ${call.status} while its legs hang up`,
      ]);
      return 0;
    }),
  );
}
