import type { Clock } from '../../src/domain/clock.ts';

/**
 * Real time plus an offset the test moves forward: a test skips a cache TTL or a rate limit by
 * advancing it instead of sleeping through it, and everything the server decides with its
 * Clock (token checks, caches, reload limits) sees the same jump.
 */
export class SteppedClock implements Clock {
  #offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  /** Moves this clock `ms` ahead of real time (cumulative). */
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
