import type { AgentSession, Call, Contact, PreviewOffer } from 'pconn/sdk';
import { PconnApiError } from 'pconn/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../api.ts';

/** Everything the desk shows about the signed-in agent, read together. */
export interface DeskData {
  session?: AgentSession | undefined;
  offer?: PreviewOffer | undefined;
  /** The call the agent is on or wrapping up (or was last offered and accepted). */
  call?: Call | undefined;
  contact?: Contact | undefined;
}

/** The desk also reads every few seconds, in case the event stream is down. */
const POLL_MS = 3000;

/**
 * The agent's session, preview offer, current call and its contact: read once, again on each
 * event about this agent (agent.state_changed, call.offered, call.* of their calls), and every
 * few seconds. Reads never overlap: one asked for during another runs
 * once that one ends, so the newest state always wins.
 */
export function useDesk(userId: string): {
  data: DeskData;
  error: unknown;
  refresh: () => void;
  setSession: (session: AgentSession) => void;
} {
  const [data, setData] = useState<DeskData>({});
  const [error, setError] = useState<unknown>();
  const running = useRef<'idle' | 'busy' | 'again'>('idle');

  const read = async (): Promise<DeskData> => {
    let session: AgentSession;
    try {
      session = await client.sessions.get(userId);
    } catch (failure) {
      if (failure instanceof PconnApiError && failure.status === 404) return {};
      throw failure;
    }
    if (session.status === 'ended') return { session };
    const offer = session.state === 'reserved' ? await offerOf(session.id) : undefined;
    const callId = session.currentCallId ?? session.stateCallId ?? offer?.callId;
    const call = offer?.call ?? (callId ? await client.calls.get(callId) : undefined);
    const contact = call?.contactId
      ? await client.contacts.get(call.contactId).catch(() => undefined)
      : undefined;
    return { session, offer, call, contact };
  };

  const refresh = () => {
    if (running.current !== 'idle') {
      running.current = 'again';
      return;
    }
    running.current = 'busy';
    read()
      .then(
        (next) => {
          setData(next);
          setError(undefined);
        },
        (failure: unknown) => setError(failure),
      )
      .finally(() => {
        const again = running.current === 'again';
        running.current = 'idle';
        if (again) refresh();
      });
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
          const d = event.data as Record<string, { userId?: string } | string | undefined>;
          const about = [
            d.userId,
            (d.session as { userId?: string })?.userId,
            (d.call as { userId?: string })?.userId,
          ];
          if (about.includes(userId)) refresh();
        }
      } catch {
        // the desk still works without live updates: it polls, and has a Refresh button
      }
    })();
    const timer = setInterval(() => refresh(), POLL_MS);
    return () => {
      stop.abort();
      clearInterval(timer);
    };
  }, [userId]);

  return { data, error, refresh, setSession: (session) => setData((d) => ({ ...d, session })) };
}

/** The session's preview offer, or undefined when there is none (404 `no_offer`). */
async function offerOf(sessionId: string): Promise<PreviewOffer | undefined> {
  try {
    return await client.sessions.offer(sessionId);
  } catch (failure) {
    if (failure instanceof PconnApiError && failure.code === 'no_offer') return undefined;
    throw failure;
  }
}
