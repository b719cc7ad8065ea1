import type { AgentStateChange } from '../domain/agent-state.ts';
import type { Clock } from '../domain/clock.ts';
import { callEndedFor } from '../service/agent-sessions/call-agent-states.ts';
import { expireOffer } from '../service/agent-sessions/offer-use-cases.ts';
import { offerPreviewCall } from '../service/agent-sessions/preview-offer.ts';
import type { StoredUser } from '../service/resources/users.ts';
import {
  claimAcceptedOffers,
  lockExpiredOffers,
  offerableSessions,
} from '../store/agent-sessions/offer-rounds.ts';
import { lockSession } from '../store/agent-sessions/session-rows.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import type { FreeAgent } from '../store/calls/load-dial-facts.ts';
import type { Db } from '../store/database.ts';
import { ResourceRepository } from '../store/resources.ts';

const users = new ResourceRepository<StoredUser>('users');

/** Accepted offers to dial now: the calls (leased to this node) and each one's reserved agent. */
export interface AcceptedCalls {
  calls: CallRow[];
  agents: Map<string, FreeAgent>;
}

/**
 * Preview mode on this node (issue 17), one round per dialer tick: offers that ran out are
 * released (their deadline is in the row, so a restart loses nothing), this node's available
 * session agents are offered the next call of their preview campaigns (`call.offered`), and the
 * offers their agents accepted are claimed for the dialer to dial with exactly that agent.
 * The normal claim never takes a preview campaign's calls (store/calls/claim.ts).
 */
export class PreviewOffers {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      owner: string;
      offerSeconds: number;
      leaseSeconds: number;
      batchSize: number;
      onStateChanged?: (change: AgentStateChange) => void;
    },
  ) {}

  /** Expires, offers, and answers the accepted offers to dial (at most `room`). */
  async round(room: number): Promise<AcceptedCalls> {
    await this.expire();
    await this.offer();
    return this.accepted(room);
  }

  /** An accepted call the dialer did not dial after all (blocked, deferred): its agent is free again. */
  async notDialled(call: CallRow, sessionId: string): Promise<void> {
    const now = this.deps.clock.now();
    const applied = await this.deps.db.transaction().execute(async (tx) => {
      const row = await lockSession(tx, call.tenant_id, sessionId);
      if (row?.agent_state !== 'reserved' || row.offered_call_id !== call.id) return [];
      return callEndedFor(tx, row, now, 0);
    });
    for (const { change } of applied) this.deps.onStateChanged?.(change);
  }

  private async expire(): Promise<void> {
    const { db, clock, owner, batchSize } = this.deps;
    const now = clock.now();
    const applied = await db.transaction().execute(async (tx) => {
      const all = [];
      for (const row of await lockExpiredOffers(tx, owner, batchSize, now))
        all.push(...(await expireOffer(tx, row, now)));
      return all;
    });
    for (const { change } of applied) this.deps.onStateChanged?.(change);
  }

  private async offer(): Promise<void> {
    const { db, clock, owner, batchSize, offerSeconds } = this.deps;
    for (const session of await offerableSessions(db, owner, batchSize)) {
      const offered = await offerPreviewCall(db, {
        tenantId: session.tenant_id,
        sessionId: session.id,
        now: clock.now(),
        offerSeconds,
      });
      if (offered) this.deps.onStateChanged?.(offered.applied.change);
    }
  }

  private async accepted(room: number): Promise<AcceptedCalls> {
    const { db, clock, owner, leaseSeconds } = this.deps;
    const agents = new Map<string, FreeAgent>();
    if (room <= 0) return { calls: [], agents };
    const claimed = await claimAcceptedOffers(db, owner, room, leaseSeconds, clock.now());
    for (const { call, sessionId, userId } of claimed) {
      const user = await users.find(db, call.tenant_id, userId);
      agents.set(call.id, { id: userId, data: user?.data ?? {}, sessionId });
    }
    return { calls: claimed.map((c) => c.call), agents };
  }
}
