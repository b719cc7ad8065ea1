import type { Clock } from '../domain/clock.ts';
import type { CallTelemetry } from '../observability/call-telemetry.ts';
import { claimAbandonedCalls } from '../store/calls/claim.ts';
import type { Db } from '../store/database.ts';
import { campaignStatusOf } from './attempt-steps.ts';
import type { CallStepWriter } from './call-step-writer.ts';

/**
 * Calls whose node died mid-call: claimed from the dead node's expired leases, their open
 * attempt is closed (never redialled: the leg may have rung) and the retry policy decides. All
 * of them in one group commit, so a node taking over a dead one's calls settles them together.
 * `ownCall` leaves out calls this node is still driving.
 */
export async function recoverAbandonedCalls(
  deps: {
    db: Db;
    clock: Clock;
    owner: string;
    steps: CallStepWriter;
    options: { batchSize: number; leaseSeconds: number };
    telemetry?: CallTelemetry;
  },
  ownCall: (callId: string) => boolean,
): Promise<void> {
  const { db, clock, options } = deps;
  const abandoned = await claimAbandonedCalls(
    db,
    deps.owner,
    options.batchSize,
    options.leaseSeconds,
    clock.now(),
  );
  await Promise.all(
    abandoned
      .filter((call) => !ownCall(call.id))
      .map(async (call) => {
        const talked = call.status === 'connected';
        const result = {
          outcome: talked ? ('answered' as const) : ('network_error' as const),
          sipStatus: null,
          sipReason:
            'the dialer handling this call stopped (lease expired); the attempt is closed, not redialled',
          talked,
        };
        const settled = await deps.steps.write({
          kind: 'finish',
          tenantId: call.tenant_id,
          callId: call.id,
          n: call.attempts_made,
          result,
        });
        await deps.telemetry?.attemptEnded(undefined, result, call.status, settled, () =>
          campaignStatusOf(db, call),
        );
      }),
  );
}
