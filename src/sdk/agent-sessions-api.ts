import type { PconnClient, Query } from './pconn-client.ts';
import type {
  AgentSession,
  AgentSessionInput,
  AgentSessionStatus,
  AgentState,
  Call,
  DispositionInput,
  Page,
  PreviewOffer,
} from './types.ts';

/** Filters of `sessions.page` and `sessions.list` (GET /v1/agent-sessions). */
export type AgentSessionFilter = Query & {
  /** Open sessions whose agent is in this state. */
  state?: AgentState;
  /** A session status, or `open` for every one but `ended`. */
  status?: AgentSessionStatus | 'open';
  userId?: string;
  /** Sessions that take this campaign's calls. */
  campaignId?: string;
};

/** Options of `sessions.waitUntil`. */
export interface WaitForSessionOptions {
  intervalMs?: number;
  timeoutMs?: number;
  onChange?: (session: AgentSession) => void;
}

/**
 * Personal-connection sessions (`/v1/users/{id}/session`): one agent leg kept up across the
 * contacts of the session's campaigns. A user has at most one open session, so it is addressed
 * by the user id.
 */
export class AgentSessionsApi {
  constructor(private readonly client: PconnClient) {}

  private path(userId: string): string {
    return `/v1/users/${encodeURIComponent(userId)}/session`;
  }

  /**
   * Starts a session (`created`, status `starting` until the agent answers) or, on an open one,
   * applies the new campaignIds and takes back a pending end. Without campaignIds the session
   * takes every campaign that lists the user in agentIds.
   */
  async start(
    userId: string,
    input: AgentSessionInput = {},
  ): Promise<{ session: AgentSession; created: boolean }> {
    const answer = await this.client.send<AgentSession>('PUT', this.path(userId), { body: input });
    return { session: answer.body, created: answer.status === 201 };
  }

  /** The user's current (or last) session; 404 not_found for an unknown user or one who never had a session. */
  get(userId: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('GET', this.path(userId));
  }

  /**
   * Ends the session: status `ending` while the agent's leg is up (hung up after the current
   * call), `ended` when it ended at once or had ended already.
   */
  end(userId: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('DELETE', this.path(userId));
  }

  /** One page of the tenant's sessions (GET /v1/agent-sessions), oldest first. */
  page(filter: AgentSessionFilter & { limit?: number; cursor?: string } = {}): Promise<Page<AgentSession>> {
    return this.client.request<Page<AgentSession>>('GET', '/v1/agent-sessions', { query: filter });
  }

  /** Every session matching the filters, page after page. */
  list(filter: AgentSessionFilter = {}): AsyncGenerator<AgentSession> {
    return this.client.paginate<AgentSession>('/v1/agent-sessions', filter);
  }

  /** A session by its id (`ses_…`), open or ended. */
  byId(sessionId: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('GET', `/v1/agent-sessions/${encodeURIComponent(sessionId)}`);
  }

  private statePath(sessionId: string, rest: string): string {
    return `/v1/agent-sessions/${encodeURIComponent(sessionId)}/${rest}`;
  }

  /** Pauses the session's agent (by session id): paused now, or when the current call's wrap-up ends (`pauseRequested`). */
  pause(sessionId: string, reason: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('POST', this.statePath(sessionId, 'pause'), {
      body: { reason },
    });
  }

  /** Makes a paused agent available again (or takes back a pending pause). */
  resume(sessionId: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('POST', this.statePath(sessionId, 'resume'));
  }

  /** The preview call offered to the session's agent; 404 `no_offer` (a PconnApiError) when none. */
  offer(sessionId: string): Promise<PreviewOffer> {
    return this.client.request<PreviewOffer>('GET', this.statePath(sessionId, 'offer'));
  }

  /** Accepts the offered preview call: the contact is rung at once through the agent's session leg. */
  acceptOffer(sessionId: string): Promise<PreviewOffer> {
    return this.client.request<PreviewOffer>('POST', this.statePath(sessionId, 'offer/accept'));
  }

  /** Skips the offered preview call with a reason (1–64 characters): back to the queue, the agent available. */
  skipOffer(sessionId: string, reason: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('POST', this.statePath(sessionId, 'offer/skip'), {
      body: { reason },
    });
  }

  /** Records the call's disposition and ends its agent's wrap-up. */
  recordDisposition(callId: string, input: DispositionInput): Promise<Call> {
    return this.client.request<Call>('POST', `/v1/calls/${encodeURIComponent(callId)}/disposition`, {
      body: input,
    });
  }

  /**
   * Polls the session until its status is one of `statuses`. An `ended` session never changes
   * again, so reaching it unasked throws at once (with its endReason) instead of at the timeout.
   */
  async waitUntil(
    userId: string,
    statuses: AgentSessionStatus | AgentSessionStatus[],
    options: WaitForSessionOptions = {},
  ): Promise<AgentSession> {
    const wanted = new Set<string>(Array.isArray(statuses) ? statuses : [statuses]);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let last = '';
    for (;;) {
      const session = await this.get(userId);
      if (session.status !== last) options.onChange?.(session);
      last = session.status;
      if (wanted.has(session.status)) return session;
      if (session.status === 'ended') {
        const why = `${session.endReason ?? 'no reason'}${session.endDetail ? `: ${session.endDetail}` : ''}`;
        throw new Error(
          `session ${session.id} of ${userId} ended (${why}) before reaching ${[...wanted].join('|')}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`session ${session.id} of ${userId} still ${session.status} after the timeout`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  }
}
