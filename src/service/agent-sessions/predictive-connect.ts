import { assignCallAgent, lockLongestIdleAgent } from '../../store/agent-sessions/claim-predictive-agent.ts';
import type { Db } from '../../store/database.ts';
import { type AppliedAgentEvent, applyAgentEvent } from './agent-state-changes.ts';

/** The agent a live answer was given. */
export interface ClaimedAgent {
  sessionId: string;
  userId: string;
  /** The `reserve` applied (metrics). */
  applied: AppliedAgentEvent;
}

/**
 * A predictive call's contact answered (a person): the campaign's longest-idle available
 * session agent on this dialer is reserved for it, and the call and its attempt name that
 * agent, in one transaction. Undefined when no agent is free now (the caller tries again
 * until its connect window ends) or the call already has one.
 */
export async function claimAgentForAnswer(
  db: Db,
  call: { tenantId: string; campaignId: string; callId: string; n: number; owner: string },
  now: Date,
): Promise<ClaimedAgent | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await lockLongestIdleAgent(tx, call);
    if (!row) return undefined;
    if (!(await assignCallAgent(tx, call, row.user_id))) return undefined;
    const applied = await applyAgentEvent(tx, row, { type: 'reserve', callId: call.callId }, now);
    return { sessionId: row.id, userId: row.user_id, applied };
  });
}
