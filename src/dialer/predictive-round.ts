import type { Clock } from '../domain/clock.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { claimCampaignCalls } from '../store/calls/pacing-figures.ts';
import type { Db } from '../store/database.ts';
import type { ContactFirstPhase } from './contact-first.ts';
import type { PredictivePacer } from './predictive-pacer.ts';

/** Due calls of one predictive campaign claimed for this round, and how they are dialled. */
export interface PredictiveBatch {
  calls: CallRow[];
  /** The campaign's ledger is restricted: each of these dials reserves its agent first. */
  restrictedCampaigns?: ReadonlySet<string>;
}

/**
 * One predictive round: the pacer decides how many of each predictive campaign's due calls to
 * dial now, within `room` lines, and that many are claimed (the general claim never takes them).
 * The caller places each batch like any call (prepareAttempts: compliance, decision record).
 */
export async function claimPredictiveRound(
  pacer: PredictivePacer,
  deps: { db: Db; clock: Clock; owner: string; batchSize: number; leaseSeconds: number },
  round: {
    room: number;
    phaseOf: (callId: string) => ContactFirstPhase;
    liveCalls: number;
    housekeeping: boolean;
  },
): Promise<PredictiveBatch[]> {
  const plans = await pacer.plan(round.phaseOf, round.liveCalls, round.housekeeping);
  const batches: PredictiveBatch[] = [];
  let claimed = 0;
  for (const plan of plans) {
    const limit = Math.min(plan.decision.dials, round.room - claimed, deps.batchSize);
    if (limit <= 0) continue;
    const calls = await claimCampaignCalls(
      deps.db,
      {
        owner: deps.owner,
        tenantId: plan.tenantId,
        campaignId: plan.campaignId,
        limit,
        leaseSeconds: deps.leaseSeconds,
      },
      deps.clock.now(),
    );
    claimed += calls.length;
    // Restricted ledger: the controller answered progressive, each dial reserves its agent.
    batches.push(
      plan.decision.reserveAgents
        ? { calls, restrictedCampaigns: new Set([`${plan.tenantId}/${plan.campaignId}`]) }
        : { calls },
    );
  }
  return batches;
}
