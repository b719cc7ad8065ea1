import type { Logger } from 'pino';
import { AUDIT_CHECKPOINT_ROUTE, type AuditCheckpoint } from '../../contract/audit-chain.ts';
import type { Clock } from '../../domain/clock.ts';
import { type NewAuditEvent, UNAUTHENTICATED_CHAIN } from '../../store/audit-events.ts';
import { type ChainBounds, type PruneOutcome, pruneAuditChain } from '../../store/audit-retention.ts';
import type { Db } from '../../store/database.ts';

/** The unauthenticated chain's bounds (PCONN_AUDIT_UNAUTHENTICATED_*). */
export interface UnauthenticatedRetentionOptions {
  retentionSeconds: number;
  maxEntries: number;
  /** How often to check, ms. */
  everyMs: number;
}

/**
 * Keeps the unauthenticated audit chain (requests with no usable token: anyone on the network
 * can add to it) within its bounds: entries older than the retention, or beyond the newest
 * `maxEntries`, are pruned behind a checkpoint (store/audit-retention.ts), so the chain stays
 * verifiable. Tenants' chains are never pruned here. Any node may run it: the chain head's lock
 * makes concurrent prunings take turns, and the second finds nothing left to do.
 */
export class UnauthenticatedAuditRetention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: UnauthenticatedRetentionOptions,
  ) {}

  /** One pruning pass at the clock's instant; exposed for tests. */
  async runOnce(): Promise<PruneOutcome> {
    const now = this.clock.now();
    const bounds = {
      olderThan: new Date(now.getTime() - this.options.retentionSeconds * 1000),
      maxEntries: this.options.maxEntries,
    };
    const outcome = await pruneAuditChain(
      this.db,
      UNAUTHENTICATED_CHAIN,
      bounds,
      auditCheckpointEntry(UNAUTHENTICATED_CHAIN, bounds, now),
    );
    if (outcome.pruned > 0)
      this.logger.info(
        { chain: UNAUTHENTICATED_CHAIN, ...outcome },
        'pruned the unauthenticated audit chain behind a checkpoint',
      );
    return outcome;
  }

  /** Checks every `everyMs` until stopped. */
  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'audit retention failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.everyMs);
    this.timer.unref();
  }

  /** Stops, after a pass in progress has finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

/**
 * The entry a pruning appends to `chain` (contract/audit-chain.ts reads it back when verifying):
 * route AUDIT_CHECKPOINT_ROUTE, the checkpoint under `body.checkpoint`, the bounds that caused
 * it beside, written at `at`.
 */
export function auditCheckpointEntry(
  chain: string,
  bounds: ChainBounds,
  at: Date,
): (checkpoint: AuditCheckpoint) => NewAuditEvent {
  return (checkpoint) => ({
    tenantId: chain === UNAUTHENTICATED_CHAIN ? null : chain,
    requestId: `checkpoint_${checkpoint.prunedThroughSequence}`,
    clientRequestId: null,
    clientId: null,
    method: '-',
    route: AUDIT_CHECKPOINT_ROUTE,
    path: '',
    status: 0,
    code: null,
    durationMs: 0,
    ip: null,
    userAgent: null,
    bodyDigest: null,
    body: {
      checkpoint,
      bounds: { olderThan: bounds.olderThan.toISOString(), maxEntries: bounds.maxEntries },
    },
    problem: null,
    at: at.toISOString(),
  });
}
