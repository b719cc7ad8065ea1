import type { Command } from 'commander';
import type { AgentSession } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { print, run } from '../output.ts';
import { registerSessionStateCommands } from './session-states.ts';

/** The lines that describe one personal-connection session. */
export function sessionLines(s: AgentSession): string[] {
  const end = s.endedAt
    ? `  ended ${s.endedAt} (${s.endReason ?? '-'}${s.endDetail ? `: ${s.endDetail}` : ''})`
    : '';
  return [
    `${s.id}  ${s.status}  agent ${s.userId}`,
    `  campaigns: ${s.campaignIds?.join(', ') ?? '(every campaign listing the agent)'}`,
    `  agent leg: ${s.agentLeg.state}${s.agentLeg.sipStatus ? ` (SIP ${s.agentLeg.sipStatus})` : ''}   current call: ${s.currentCallId ?? '-'}   calls handled: ${s.callsHandled}`,
    `  started ${s.startedAt}${s.readyAt ? `  ready ${s.readyAt}` : ''}${end}`,
  ];
}

/** Repeated `--campaign` values, each of which may also be comma-separated. */
function collectIds(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  ];
}

/** `pconn session start|show|end USER`: an agent's personal-connection session. */
export function registerSessionCommands(program: Command): void {
  const session = program
    .command('session')
    .description("an agent's personal-connection session (one call leg kept up across contacts)");

  withConnection(
    session
      .command('start')
      .description('start a session (or update the open one: its campaigns, a pending end is taken back)')
      .argument('<user>'),
  )
    .option(
      '--campaign <id>',
      'only calls of this campaign (repeatable; default: every campaign listing the agent)',
      collectIds,
      [],
    )
    .action((user: string, options: ConnectionOptions & { campaign: string[] }) =>
      run(options, async () => {
        const input = options.campaign.length > 0 ? { campaignIds: options.campaign } : {};
        const { session: s, created } = await clientFrom(options).sessions.start(user, input);
        // A new session is `starting` until the agent answers the call to their device.
        print(options.json === true, s, () => [
          created
            ? `started session ${s.id} for ${s.userId}: calling their device`
            : `updated session ${s.id}`,
          ...sessionLines(s),
        ]);
        return 0;
      }),
    );

  withConnection(
    session.command('show').description("show the agent's current (or last) session").argument('<user>'),
  ).action((user: string, options: ConnectionOptions) =>
    run(options, async () => {
      const s = await clientFrom(options).sessions.get(user);
      print(options.json === true, s, () => sessionLines(s));
      return 0;
    }),
  );

  withConnection(
    session.command('end').description('end the session (after the current call, if any)').argument('<user>'),
  ).action((user: string, options: ConnectionOptions) =>
    run(options, async () => {
      const s = await clientFrom(options).sessions.end(user);
      // 202 `ending`: the leg is hung up asynchronously, after the call in progress.
      print(options.json === true, s, () => [
        s.status === 'ended'
          ? `session ${s.id} is ended`
          : `end requested: session ${s.id} is ${s.status}; the agent is hung up after the current call`,
        ...sessionLines(s),
      ]);
      return 0;
    }),
  );
  registerSessionStateCommands(session);
}
