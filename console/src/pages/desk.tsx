import type { AgentSession, Call, ConsoleSignedIn, Contact } from 'pconn/sdk';
import { PconnApiError } from 'pconn/sdk';
import { useEffect, useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ProblemBox, problemText } from '../components/problem.tsx';

/** Calls the wave-2 agent-state routes (docs/api-contract.md); a 404 means not built yet. */
async function agentAction(path: string, body?: unknown, method = 'POST'): Promise<string> {
  try {
    const answer = await client.request<unknown>(method, path, {
      ...(body ? { body } : {}),
      ...(method === 'POST' ? { idempotencyKey: false as const } : {}),
    });
    return method === 'GET' ? JSON.stringify(answer, null, 2) : 'Done.';
  } catch (error) {
    if (error instanceof PconnApiError && error.status === 404 && /route|not found/i.test(error.detail))
      return `This pconn does not offer ${path.replace(/\/v1\/[^/]+\/[^/]+/, '…')} yet (404).`;
    return problemText(error);
  }
}

/**
 * The agent desk: start and end a personal-connection session, the current call with the
 * contact's details, and the state, pause, preview offer and disposition controls.
 */
export function DeskPage(props: { me: ConsoleSignedIn }) {
  const userId = props.me.user.id;
  const [session, setSession] = useState<AgentSession>();
  const [call, setCall] = useState<Call>();
  const [contact, setContact] = useState<Contact>();
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [campaignIds, setCampaignIds] = useState('');
  const [pauseReason, setPauseReason] = useState('');
  const [disposition, setDisposition] = useState('');
  const [notes, setNotes] = useState('');

  const refresh = async () => {
    try {
      const current = await client.sessions.get(userId);
      setSession(current);
      if (current.currentCallId) {
        const c = await client.calls.get(current.currentCallId);
        setCall(c);
        setContact(c.contactId ? await client.contacts.get(c.contactId).catch(() => undefined) : undefined);
      } else {
        setCall(undefined);
        setContact(undefined);
      }
    } catch (failure) {
      if (failure instanceof PconnApiError && failure.status === 404) setSession(undefined);
      else setError(failure);
    }
  };
  useEffect(() => {
    refresh();
    const stop = new AbortController();
    (async () => {
      try {
        for await (const event of client.events({
          signal: stop.signal,
          types: ['agent.*', 'call.*'],
          maxReconnects: 1000,
        })) {
          const s = (event.data as Record<string, unknown>).session as { userId?: string } | undefined;
          const c = (event.data as Record<string, unknown>).call as { userId?: string } | undefined;
          if (s?.userId === userId || c?.userId === userId) refresh();
        }
      } catch {
        // the desk still works without live updates (Refresh button)
      }
    })();
    return () => stop.abort();
  }, [userId]);

  const open = session && session.status !== 'ended';
  const start = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const ids = campaignIds.split(/[\s,]+/).filter(Boolean);
      setSession((await client.sessions.start(userId, ids.length ? { campaignIds: ids } : {})).session);
    } catch (failure) {
      setError(failure);
    }
  };
  const end = async () => {
    setError(undefined);
    try {
      setSession(await client.sessions.end(userId));
    } catch (failure) {
      setError(failure);
    }
  };
  const sessionPath = `/v1/agent-sessions/${encodeURIComponent(session?.id ?? userId)}`;
  return (
    <section>
      <h1>Agent desk</h1>
      <section class="panel" aria-labelledby="desk-session">
        <h2 id="desk-session">Session</h2>
        <p>
          {session ? (
            <>
              Session <code>{session.id}</code>:{' '}
              <strong data-testid="session-status">{session.status}</strong>
              {(session as Record<string, unknown>).state
                ? ` · state ${(session as Record<string, unknown>).state}`
                : ''}{' '}
              · phone leg {session.agentLeg.state} · {session.callsHandled} calls handled
              {session.endReason ? ` · ended: ${session.endReason}` : ''}
            </>
          ) : (
            'No session yet.'
          )}
        </p>
        {open ? (
          <button type="button" onClick={end}>
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
        <ProblemBox error={error} />
      </section>
      <section class="panel" aria-labelledby="desk-state">
        <h2 id="desk-state">State and pauses</h2>
        <Field id="desk-pause-reason" label="Pause reason" value={pauseReason} onInput={setPauseReason} />
        <div class="actions">
          <button
            type="button"
            onClick={async () =>
              setMessage(await agentAction(`${sessionPath}/pause`, { reason: pauseReason || 'break' }))
            }
          >
            Pause
          </button>
          <button type="button" onClick={async () => setMessage(await agentAction(`${sessionPath}/resume`))}>
            Resume
          </button>
        </div>
        <h3>Preview offer</h3>
        <div class="actions">
          <button
            type="button"
            onClick={async () => setMessage(await agentAction(`${sessionPath}/offer`, undefined, 'GET'))}
          >
            Show offer
          </button>
          <button
            type="button"
            onClick={async () => setMessage(await agentAction(`${sessionPath}/offer/accept`, {}))}
          >
            Accept offer
          </button>
          <button
            type="button"
            onClick={async () =>
              setMessage(await agentAction(`${sessionPath}/offer/skip`, { reason: 'skipped' }))
            }
          >
            Skip offer
          </button>
        </div>
        {message ? (
          <pre role="status" data-testid="desk-message">
            {message}
          </pre>
        ) : null}
      </section>
      <section class="panel" aria-labelledby="desk-call">
        <h2 id="desk-call">Current call</h2>
        {call ? (
          <>
            <p>
              <code>{call.id}</code> to {call.to}: <strong>{call.status}</strong>
            </p>
            {contact ? (
              <dl class="facts">
                <dt>Contact</dt>
                <dd>{contact.name ?? contact.externalId}</dd>
                <dt>Numbers</dt>
                <dd>{contact.phoneNumbers.map((p) => `${p.phoneType} ${p.number}`).join(', ')}</dd>
                <dt>Time zone</dt>
                <dd>{contact.timezone ?? '—'}</dd>
                <dt>Attributes</dt>
                <dd>
                  <pre>{JSON.stringify(contact.attributes, null, 2)}</pre>
                </dd>
              </dl>
            ) : null}
            <details>
              <summary>Call metadata</summary>
              <pre>{JSON.stringify(call.metadata, null, 2)}</pre>
            </details>
          </>
        ) : (
          <p>No call right now.</p>
        )}
        <h3>Wrap-up</h3>
        <Field id="desk-disposition" label="Disposition code" value={disposition} onInput={setDisposition} />
        <Field id="desk-notes" label="Notes" value={notes} onInput={setNotes} multiline />
        <button
          type="button"
          disabled={!call || !disposition}
          onClick={async () =>
            setMessage(
              await agentAction(`/v1/calls/${encodeURIComponent(call?.id ?? '')}/disposition`, {
                code: disposition,
                ...(notes ? { notes } : {}),
              }),
            )
          }
        >
          Set disposition
        </button>
      </section>
    </section>
  );
}
