import type { Command } from 'commander';
import type { PconnClient, PreviewOffer } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { print, run } from '../output.ts';
import { sessionLines } from './session.ts';

/** The open (or last) session's id of `user`: the state routes address sessions by id. */
async function sessionIdOf(client: PconnClient, user: string): Promise<string> {
  return (await client.sessions.get(user)).id;
}

function offerLines(offer: PreviewOffer): string[] {
  return [
    `${offer.callId}  ${offer.status}  to ${offer.call.to}  contact ${offer.call.contactId ?? '-'}`,
    `  session ${offer.sessionId}  agent ${offer.userId}${offer.expiresAt ? `  expires ${offer.expiresAt}` : ''}`,
  ];
}

/**
 * `pconn session pause|resume|offer|accept|skip USER` and `pconn session disposition CALL`: the
 * agent's state in their session (issue 17). An agent signed in with `pconn login` acts on their
 * own session; other sessions need a supervisor's or a client's token.
 */
export function registerSessionStateCommands(session: Command): void {
  const state = (
    name: string,
    description: string,
    act: (client: PconnClient, sessionId: string, options: { reason?: string }) => Promise<unknown>,
    withReason = false,
  ) => {
    const command = withConnection(session.command(name).description(description).argument('<user>'));
    if (withReason) command.requiredOption('--reason <text>', 'why (1–64 characters)');
    command.action((user: string, options: ConnectionOptions & { reason?: string }) =>
      run(options, async () => {
        const client = clientFrom(options);
        const answer = await act(client, await sessionIdOf(client, user), options);
        print(options.json === true, answer, () =>
          'callId' in (answer as object)
            ? offerLines(answer as PreviewOffer)
            : sessionLines(answer as Parameters<typeof sessionLines>[0]),
        );
        return 0;
      }),
    );
  };
  state(
    'pause',
    "pause the agent (now, or after the current call's wrap-up)",
    (c, id, o) => c.sessions.pause(id, o.reason ?? ''),
    true,
  );
  state('resume', 'make a paused agent available again', (c, id) => c.sessions.resume(id));
  state('offer', 'show the preview call offered to the agent', (c, id) => c.sessions.offer(id));
  state('accept', 'accept the offered preview call (the contact is rung at once)', (c, id) =>
    c.sessions.acceptOffer(id),
  );
  state(
    'skip',
    'skip the offered preview call (back to the queue, the agent available)',
    (c, id, o) => c.sessions.skipOffer(id, o.reason ?? ''),
    true,
  );

  withConnection(
    session
      .command('disposition')
      .description("record a call's disposition and end its agent's wrap-up")
      .argument('<call>'),
  )
    .requiredOption('--code <code>', 'the outcome the agent records (e.g. sale)')
    .option('--notes <text>', 'free text, ≤ 1000 characters')
    .action((callId: string, options: ConnectionOptions & { code: string; notes?: string }) =>
      run(options, async () => {
        const call = await clientFrom(options).sessions.recordDisposition(callId, {
          code: options.code,
          ...(options.notes !== undefined ? { notes: options.notes } : {}),
        });
        print(options.json === true, call, () => [
          `${call.id}  disposition ${call.disposition?.code ?? '-'}`,
        ]);
        return 0;
      }),
    );
}
