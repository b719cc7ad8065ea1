import { type Clock, systemClock } from '../../domain/clock.ts';

/** A trunk's limits (PUT /v1/trunks/{id}). */
export interface TrunkLimits {
  maxConcurrent: number;
  /** New calls per second. */
  cps: number;
}

interface TrunkState {
  active: number;
  /** Earliest time the next INVITE may leave, ms. */
  nextStartAt: number;
  waiting: Array<() => void>;
}

/**
 * Enforces each trunk's `maxConcurrent` (legs wait for a free slot) and `cps` (INVITEs are
 * spaced 1/cps apart), the two limits carriers put on SIP trunks. A slot is held from the
 * INVITE to the end of the leg; `release` gives it to the next waiting leg.
 */
export class TrunkLimiter {
  private readonly trunks = new Map<string, TrunkState>();

  /** `clock` paces the INVITEs (node's mock timers or a test clock can drive it). */
  constructor(private readonly clock: Clock = systemClock) {}

  /**
   * Waits for a slot and the next start time. Resolves with the release function, or with
   * undefined when `abandoned()` turned true while waiting (the leg ended meanwhile).
   */
  async acquire(
    trunkId: string,
    limits: TrunkLimits,
    abandoned: () => boolean,
  ): Promise<(() => void) | undefined> {
    let state = this.trunks.get(trunkId);
    if (!state) {
      state = { active: 0, nextStartAt: 0, waiting: [] };
      this.trunks.set(trunkId, state);
    }
    const trunk = state;
    while (trunk.active >= limits.maxConcurrent) {
      await new Promise<void>((resolve) => trunk.waiting.push(resolve));
      if (abandoned()) {
        trunk.waiting.shift()?.();
        return undefined;
      }
    }
    trunk.active += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      trunk.active -= 1;
      trunk.waiting.shift()?.();
    };
    const now = this.clock.now().getTime();
    const startAt = Math.max(now, trunk.nextStartAt);
    trunk.nextStartAt = startAt + 1000 / limits.cps;
    if (startAt > now) await new Promise((resolve) => setTimeout(resolve, startAt - now));
    if (abandoned()) {
      release();
      return undefined;
    }
    return release;
  }

  /** Wakes every waiter (driver shutdown); they see `abandoned()` and give up. */
  drain(): void {
    for (const state of this.trunks.values()) for (const wake of state.waiting.splice(0)) wake();
  }
}
