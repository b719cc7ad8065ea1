import type { Command } from 'commander';
import type { AbandonmentLedger, Campaign, CampaignInput } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { readJsonArgument } from '../input-files.ts';
import { print, run } from '../output.ts';

function campaignLines(c: Campaign): string[] {
  return [
    `${c.id}  ${c.status}  ${c.name}`,
    `  caller id: ${c.callerId ?? '(tenant default)'}   window: ${c.callingWindow.start}–${c.callingWindow.end} ${c.timezone ?? ''}`,
    `  agents: ${c.agentIds.join(', ') || '(none)'}   dialing: ${c.dialingMode}   api calls: ${c.allowApiCalls ? 'allowed' : 'off'}`,
    `  ${dialingLine(c)}`,
    `  answer detection: ${c.answerDetection.enabled ? `on, machine → ${c.answerDetection.machineAction}` : 'off'}   abandon prompt: ${c.abandonPromptId ?? '(none)'}   machine prompt: ${c.machinePromptId ?? '(none)'}`,
  ];
}

function dialingLine(c: Campaign): string {
  const first = c.dialingMode === 'progressive' ? (c.agentFirst ? 'agent first' : 'contact first') : null;
  return [
    first,
    `pacing: ≤ ${(c.pacing.abandonRateTarget * 100).toFixed(1)} % abandoned, ≤ ${c.pacing.maxLinesPerAgent} lines per agent`,
    `jurisdiction: ${c.jurisdiction}`,
    `wrap-up: ${c.wrapUpSeconds} s`,
  ]
    .filter((part) => part !== null)
    .join('   ');
}

function ledgerLines(ledger: AbandonmentLedger): string[] {
  const percent = (rate: number) => `${(rate * 100).toFixed(2)} %`;
  const cap = ledger.cap === null ? 'no cap' : `cap ${percent(ledger.cap)}`;
  const row = (
    label: string,
    t: { liveAnswers: number; abandoned: number; rate: number; restricted: boolean },
  ) =>
    `${label.padEnd(12)} ${String(t.liveAnswers).padStart(7)} ${String(t.abandoned).padStart(9)} ${percent(t.rate).padStart(8)}${t.restricted ? '  restricted' : ''}`;
  return [
    `${ledger.campaignId}  ${ledger.jurisdiction}  ${cap}  (UTC days ${ledger.from} … ${ledger.to})`,
    `${'day'.padEnd(12)} ${'live'.padStart(7)} ${'abandoned'.padStart(9)} ${'rate'.padStart(8)}`,
    ...ledger.days.filter((d) => d.liveAnswers > 0).map((d) => row(d.day, d)),
    row('30 days', ledger.rolling30Days),
  ];
}

interface CreateOptions extends ConnectionOptions {
  id?: string;
  name?: string;
  callerId?: string;
  agents?: string;
  window?: string;
  timezone?: string;
  data?: string;
}

/** `pconn campaigns list|get|create|start|pause|resume|stop`. */
export function registerCampaignCommands(program: Command): void {
  const campaigns = program.command('campaigns').description('campaigns and their status');

  withConnection(campaigns.command('list').description('list campaigns'))
    .option('--status <status>', 'only campaigns in this status')
    .action((options: ConnectionOptions & { status?: string }) =>
      run(options, async () => {
        const rows: Campaign[] = [];
        for await (const c of clientFrom(options).campaigns.list({ status: options.status })) rows.push(c);
        print(options.json === true, rows, () =>
          rows.length === 0
            ? ['no campaigns']
            : rows.map((c) => `${c.id.padEnd(24)} ${c.status.padEnd(10)} ${c.name}`),
        );
        return 0;
      }),
    );

  withConnection(campaigns.command('get').description('show a campaign').argument('<id>')).action(
    (id: string, options: ConnectionOptions) =>
      run(options, async () => {
        const c = await clientFrom(options).campaigns.get(id);
        print(options.json === true, c, () => campaignLines(c));
        return 0;
      }),
  );

  withConnection(
    campaigns
      .command('abandonment')
      .description('the abandonment ledger: live answers, abandons and rate per UTC day and over 30 days')
      .argument('<id>'),
  )
    .option('--from <YYYY-MM-DD>', 'first day (default: 29 days before --to)')
    .option('--to <YYYY-MM-DD>', 'last day (default: today, UTC)')
    .action((id: string, options: ConnectionOptions & { from?: string; to?: string }) =>
      run(options, async () => {
        const ledger = await clientFrom(options).campaigns.abandonment(id, {
          from: options.from,
          to: options.to,
        });
        print(options.json === true, ledger, () => ledgerLines(ledger));
        return 0;
      }),
    );

  withConnection(campaigns.command('create').description('create a campaign (PUT with --id, else POST)'))
    .option('--id <id>', 'client-chosen id (idempotent PUT)')
    .option('--name <name>', 'campaign name')
    .option('--caller-id <e164>', 'verified caller id to present')
    .option('--agents <ids>', 'comma-separated user ids who take its calls')
    .option('--window <HH:MM-HH:MM>', 'calling window, e.g. 09:00-20:00')
    .option('--timezone <iana>', 'fallback time zone')
    .option('--data <json|@file>', 'the whole campaign document as JSON (flags override its members)')
    .action((options: CreateOptions) =>
      run(options, async () => {
        const input = { ...((options.data ? readJsonArgument(options.data) : {}) as Partial<CampaignInput>) };
        if (options.name) input.name = options.name;
        if (options.callerId) input.callerId = options.callerId;
        if (options.agents)
          input.agentIds = options.agents
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean);
        if (options.timezone) input.timezone = options.timezone;
        if (options.window) {
          const [start = '', end = ''] = options.window.split('-');
          input.callingWindow = { start, end };
        }
        // Sent as given: the server validates and answers every problem at once.
        const client = clientFrom(options);
        const body = input as CampaignInput;
        const c = options.id
          ? (await client.campaigns.put(options.id, body)).resource
          : await client.campaigns.create(body);
        print(options.json === true, c, () => [`created campaign ${c.id}`, ...campaignLines(c)]);
        return 0;
      }),
    );

  for (const action of ['start', 'pause', 'resume', 'stop'] as const) {
    withConnection(campaigns.command(action).description(`${action} a campaign`).argument('<id>')).action(
      (id: string, options: ConnectionOptions) =>
        run(options, async () => {
          const c = await clientFrom(options).campaigns.transition(id, action);
          print(options.json === true, c, () => [`campaign ${c.id} is now ${c.status}`]);
          return 0;
        }),
    );
  }
}
