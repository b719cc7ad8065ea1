import {
  holdOfferedCall,
  lockNextPreviewCall,
  lockOfferableSession,
} from '../../store/agent-sessions/preview-offers.ts';
import { appendCallEvent, listAttempts } from '../../store/calls/calls.ts';
import type { Db } from '../../store/database.ts';
import { presentCall } from '../calls/present-call.ts';
import { type AppliedAgentEvent, applyAgentEvent } from './agent-state-changes.ts';

/** A preview call offered to a session's agent. */
export interface PreviewOffer {
  sessionId: string;
  callId: string;
  expiresAt: Date;
  applied: AppliedAgentEvent;
}

/**
 * Offers the next preview call the session can take to its agent, if any (issue 17, preview
 * mode): in one transaction the session is locked (it must be ready and available), the call is
 * locked and kept out of the dialer's claims until the offer expires, the agent is reserved for
 * it (`agent.state_changed`) and the call's timeline says `call.offered`. Concurrent offers never
 * share a session or a call (FOR UPDATE SKIP LOCKED, and a unique index on the offered call).
 *
 * Called by the dialer's preview round (src/dialer/preview-offers.ts): see docs/dialing-modes.md.
 */
export async function offerPreviewCall(
  db: Db,
  input: { tenantId: string; sessionId: string; now: Date; offerSeconds: number },
): Promise<PreviewOffer | undefined> {
  const { tenantId, sessionId, now } = input;
  return db.transaction().execute(async (tx) => {
    const session = await lockOfferableSession(tx, tenantId, sessionId);
    if (!session) return undefined;
    const call = await lockNextPreviewCall(tx, session, now);
    if (!call) return undefined;
    const expiresAt = new Date(now.getTime() + input.offerSeconds * 1000);
    await holdOfferedCall(tx, tenantId, call.id, expiresAt, now);
    const applied = await applyAgentEvent(tx, session, { type: 'reserve', callId: call.id }, now, {
      offered_call_id: call.id,
      offer_expires_at: expiresAt,
    });
    await appendCallEvent(tx, {
      tenantId,
      callId: call.id,
      campaignId: call.campaign_id,
      type: 'call.offered',
      data: {
        call: presentCall(call, await listAttempts(tx, tenantId, [call.id])),
        sessionId,
        userId: session.user_id,
        expiresAt: expiresAt.toISOString(),
      },
    });
    return { sessionId, callId: call.id, expiresAt, applied };
  });
}
