import type { AgentStateChange } from '../domain/agent-state.ts';
import type { Clock } from '../domain/clock.ts';
import { claimAgentForAnswer } from '../service/agent-sessions/predictive-connect.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import type { Db } from '../store/database.ts';
import type { SessionAgentLeg } from './call-session.ts';
import { type AgentForAnswer, type AnswerAgent, CONNECT_WINDOW_MS } from './contact-first.ts';

/*
 * Finding the agent for a predictive live answer (issue 17): the campaign's longest-idle
 * available session agent on this node, claimed in the store (claimAgentForAnswer), tried at
 * once and again whenever an agent comes free, until the connect window is nearly spent — the
 * rest of it is for starting the abandon prompt, which must reach the contact within 2 s.
 */

/** Settings of the search. */
export interface AnswerAgentsOptions {
  /** At most this long for any live answer (ms; default CONNECT_WINDOW_MS). */
  waitMs?: number;
  /** Tries again after this long even when no agent was reported free (ms; default 100). */
  retryMs?: number;
}

/** The agents this node can give live answers. */
export class AnswerAgents {
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      owner: string;
      legFor: (sessionId: string) => SessionAgentLeg;
      options?: AnswerAgentsOptions;
      onStateChanged?: (change: AgentStateChange) => void;
    },
  ) {}

  /** An agent may have come free: answers waiting try again now. */
  agentFreed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** The finder a predictive CallSession asks at its live answer. */
  readonly find: AgentForAnswer = async (call: CallRow, attempt: number, waitMs: number) => {
    const { db, clock, owner } = this.deps;
    const campaignId = call.campaign_id;
    if (!campaignId) return undefined;
    // Bounds real waiting, decides nothing stored: the monotonic clock, like the dialer's stop.
    const deadline = performance.now() + Math.min(waitMs, this.deps.options?.waitMs ?? CONNECT_WINDOW_MS);
    for (;;) {
      const claimed = await claimAgentForAnswer(
        db,
        { tenantId: call.tenant_id, campaignId, callId: call.id, n: attempt, owner },
        clock.now(),
      );
      if (claimed) {
        this.deps.onStateChanged?.(claimed.applied.change);
        const found: AnswerAgent = { userId: claimed.userId, leg: this.deps.legFor(claimed.sessionId) };
        return found;
      }
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      await this.nextChance(Math.min(left, this.deps.options?.retryMs ?? 100));
    }
  };

  private nextChance(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
