import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { CallTelemetry } from '../observability/call-telemetry.ts';
import { advanceCampaignSchedules, extendLeases } from '../store/calls/claim.ts';
import type { Db } from '../store/database.ts';
import type { CallStepWriter } from './call-step-writer.ts';
import { recoverAbandonedCalls } from './recover-abandoned.ts';

/** What the upkeep works with: the dialer's store, clock, group commit and calls. */
export interface UpkeepDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  owner: string;
  steps: CallStepWriter;
  options: { pollMs: number; batchSize: number; leaseSeconds: number };
  telemetry?: CallTelemetry;
  /** The calls this node is driving now, by id (the dialer's live map, read as it changes). */
  liveCalls: ReadonlyMap<string, unknown>;
}

/** How often the upkeep runs, in the dialer's clock (the claim round's own periodic work too). */
export const UPKEEP_EVERY_MS = 1000;

/**
 * A dialer's once-a-second upkeep (looked at every `pollMs`, timed by the dialer's clock):
 * campaigns moved by their schedules, this node's leases renewed, dead nodes' calls recovered.
 * It runs on a loop of its own, beside the claim rounds. Inside a round (until 2026-12-08) it
 * held every call accepted meanwhile until it was done, 2–40 ms of store work each second, and
 * those calls were among the slowest dials of a steady 50 calls/s.
 */
export class DialerUpkeep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private last = Number.NEGATIVE_INFINITY;
  private stopped = true;

  constructor(private readonly deps: UpkeepDeps) {}

  /** Starts the loop; its first upkeep runs at once. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop, after an upkeep in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runIfDue().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.deps.options.pollMs);
      });
    }, delay);
  }

  private async runIfDue(): Promise<void> {
    const { db, clock, options } = this.deps;
    if (clock.now().getTime() - this.last <= UPKEEP_EVERY_MS) return;
    this.last = clock.now().getTime();
    try {
      await advanceCampaignSchedules(db, clock.now());
      const { liveCalls } = this.deps;
      await extendLeases(db, this.deps.owner, [...liveCalls.keys()], options.leaseSeconds, clock.now());
      await recoverAbandonedCalls(this.deps, (callId) => liveCalls.has(callId));
    } catch (error) {
      this.deps.logger.error({ err: error }, 'dialer upkeep failed');
    }
  }
}
