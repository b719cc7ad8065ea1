import type { AgentSession, ConsoleSignedIn } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ProblemBox } from '../components/problem.tsx';
import { DeskCall } from './desk-call.tsx';
import { DeskOffer } from './desk-offer.tsx';
import { useDesk } from './use-desk.ts';

/** Runs one desk action: its failure is shown under the panel, a success refreshes the desk. */
export type DeskAction = (what: () => Promise<unknown>) => Promise<void>;

/**
 * The agent desk: start and end my personal-connection session, my state with pause and resume,
 * the preview offer (accept, skip with a reason), the current call with the contact's details
 * and metadata, and the wrap-up's disposition. Live from the event stream (useDesk).
 */
export function DeskPage(props: { me: ConsoleSignedIn }) {
  const userId = props.me.user.id;
  const { data, error, refresh, setSession } = useDesk(userId);
  const [failure, setFailure] = useState<unknown>();
  const [campaignIds, setCampaignIds] = useState('');
  const [pauseReason, setPauseReason] = useState('');
  const { session } = data;
  const open = session !== undefined && session.status !== 'ended';
  // An accepted offer is being dialled: the desk shows it as the current call.
  const offered = data.offer?.status === 'offered' ? data.offer : undefined;

  const act: DeskAction = async (what) => {
    setFailure(undefined);
    try {
      const answer = await what();
      if (answer && typeof answer === 'object' && 'agentLeg' in answer) setSession(answer as AgentSession);
    } catch (problem) {
      setFailure(problem);
    }
    refresh();
  };
  const start = (event: Event) => {
    event.preventDefault();
    const ids = campaignIds.split(/[\s,]+/).filter(Boolean);
    return act(
      async () => (await client.sessions.start(userId, ids.length ? { campaignIds: ids } : {})).session,
    );
  };

  return (
    <section>
      <h1>Agent desk</h1>
      <ProblemBox error={failure ?? error} />
      <div class="panels">
        <section class="panel" aria-labelledby="desk-session">
          <h2 id="desk-session">My session</h2>
          <p>
            {session ? (
              <>
                <strong data-testid="session-status">{session.status}</strong> · phone{' '}
                {session.agentLeg.state} · {session.callsHandled} calls handled
                {session.endReason ? ` · ended: ${session.endReason}` : ''}
              </>
            ) : (
              'No session yet.'
            )}
          </p>
          {open ? (
            <button type="button" onClick={() => act(() => client.sessions.end(userId))}>
              End session
            </button>
          ) : (
            <form onSubmit={start}>
              <Field
                id="desk-campaigns"
                label="Campaign ids (empty: every campaign that lists you)"
                value={campaignIds}
                onInput={setCampaignIds}
              />
              <button type="submit">Start session</button>
            </form>
          )}
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </section>
        {open ? (
          <section class="panel" aria-labelledby="desk-state">
            <h2 id="desk-state">My state</h2>
            <p>
              <strong data-testid="agent-state">{session.state}</strong> since{' '}
              {new Date(session.stateSince).toLocaleTimeString()}
              {session.pauseReason ? ` · ${session.pauseReason}` : ''}
              {session.pauseRequested ? ` · pause asked for (${session.pauseRequested}) after this call` : ''}
              {session.wrapUpUntil
                ? ` · wrap-up until ${new Date(session.wrapUpUntil).toLocaleTimeString()}`
                : ''}
            </p>
            {session.state === 'paused' || session.pauseRequested ? (
              <button type="button" onClick={() => act(() => client.sessions.resume(session.id))}>
                Resume
              </button>
            ) : (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  return act(() => client.sessions.pause(session.id, pauseReason.trim() || 'break'));
                }}
              >
                <Field
                  id="desk-pause-reason"
                  label="Pause reason"
                  value={pauseReason}
                  onInput={setPauseReason}
                  placeholder="break"
                />
                <button type="submit">Pause</button>
              </form>
            )}
          </section>
        ) : null}
        {open && offered ? <DeskOffer offer={offered} contact={data.contact} act={act} /> : null}
        {open && !offered ? (
          <DeskCall session={session} call={data.call} contact={data.contact} act={act} />
        ) : null}
      </div>
    </section>
  );
}
