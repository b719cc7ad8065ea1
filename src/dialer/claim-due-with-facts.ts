import type { CallRow } from '../store/calls/call-rows.ts';
import { claimAgentWaiters, claimDueCalls, type FreedAgent } from '../store/calls/claim.ts';
import { type BatchDialFacts, loadDialFactsBatch } from '../store/calls/load-dial-facts.ts';
import type { Db } from '../store/database.ts';
import { runStoreOperation, type StoreOperation } from '../store/store-operation.ts';

/** What a claim round asks for. */
export interface DueClaim {
  owner: string;
  limit: number;
  leaseSeconds: number;
  now: Date;
}

/** The calls claimed and, in the same order, their pre-dial facts. */
export interface ClaimedWithFacts {
  calls: CallRow[];
  facts: (BatchDialFacts | undefined)[];
}

/**
 * A claim round's two reads in one crossing to the store (issue 15: what the dialer reads per
 * dial comes with the batch claim): the due calls leased to this node, then their pre-dial facts
 * (prepareAttempts). Each statement commits on its own, as when the node's thread sent them one
 * after the other; on the embedded store both now run on its thread without a round trip to the
 * node's between them, which under a steady 50 calls/s was one of the seven or eight waits on
 * that thread between a request and its dial.
 */
export const claimDueWithFactsOperation: StoreOperation<DueClaim, ClaimedWithFacts> = {
  name: 'dialer.claim-due-with-facts',
  async run(db, { owner, limit, leaseSeconds, now }) {
    const calls = await claimDueCalls(db, owner, limit, leaseSeconds, now);
    const facts = await loadDialFactsBatch(
      db,
      calls.map((c) => ({ tenantId: c.tenant_id, callId: c.id })),
      owner,
    );
    return { calls, facts };
  },
};

/** A claim round's calls, and their pre-dial facts when they came with the claim. */
export interface ClaimedRound {
  calls: CallRow[];
  facts?: (BatchDialFacts | undefined)[];
}

/**
 * The calls of one claim round, at most `limit`: first one call waiting for each agent that just
 * came free (claiming every waiter of the campaign would re-check them all for the one agent),
 * then due calls with their facts. When waiters were claimed the facts are left out, so that
 * prepareAttempts reads them for the whole round at once: a waiter and a due call may want the
 * same free agent, and one read then decides for both.
 */
export async function claimRound(
  db: Db,
  round: {
    owner: string;
    freed: FreedAgent[];
    agentWaitMs: number;
    limit: number;
    leaseSeconds: number;
    now: Date;
  },
): Promise<ClaimedRound> {
  const { owner, freed, agentWaitMs, limit, leaseSeconds, now } = round;
  const waiters = await claimAgentWaiters(
    db,
    owner,
    freed,
    agentWaitMs,
    Math.min(limit, freed.length),
    leaseSeconds,
    now,
  );
  if (waiters.length >= limit) return { calls: waiters };
  const due = await runStoreOperation(db, claimDueWithFactsOperation, {
    owner,
    limit: limit - waiters.length,
    leaseSeconds,
    now,
  });
  return waiters.length === 0 ? due : { calls: [...waiters, ...due.calls] };
}
