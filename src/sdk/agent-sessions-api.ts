import { PconnApiError } from './pconn-api-error.ts';
import type { PconnClient, Query } from './pconn-client.ts';
import type {
  AgentSession,
  AgentSessionInput,
  AgentSessionStatus,
  AgentState,
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
    return this.client.request<AgentSession>('GET', this.bySession(sessionId));
  }

  /**
   * Pauses the session's agent: `paused` at once when available or in wrap-up, else recorded as
   * `pauseRequested` and applied when the call's wrap-up ends.
   */
  pause(sessionId: string, reason: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('POST', `${this.bySession(sessionId)}/pause`, {
      body: { reason },
      idempotencyKey: false,
    });
  }

  /** Resumes a paused agent (or takes back a pause asked for during a call). */
  resume(sessionId: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('POST', `${this.bySession(sessionId)}/resume`, {
      idempotencyKey: false,
    });
  }

  /** The preview call offered to the session's agent, or `undefined` when there is none (404 `no_offer`). */
  async offer(sessionId: string): Promise<PreviewOffer | undefined> {
    try {
      return await this.client.request<PreviewOffer>('GET', `${this.bySession(sessionId)}/offer`);
    } catch (error) {
      if (error instanceof PconnApiError && error.code === 'no_offer') return undefined;
      throw error;
    }
  }

  /** Accepts the offered preview call: pconn rings the contact through the agent's leg. */
  acceptOffer(sessionId: string): Promise<PreviewOffer> {
    return this.client.request<PreviewOffer>('POST', `${this.bySession(sessionId)}/offer/accept`, {
      idempotencyKey: false,
    });
  }

  /** Skips the offered call with a reason: it goes back to the queue, not to this agent for a while. */
  skipOffer(sessionId: string, reason: string): Promise<AgentSession> {
    return this.client.request<AgentSession>('POST', `${this.bySession(sessionId)}/offer/skip`, {
      body: { reason },
      idempotencyKey: false,
    });
  }

  private bySession(sessionId: string): string {
    return `/v1/agent-sessions/${encodeURIComponent(sessionId)}`;
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
