import type { Clock } from '../../domain/clock.ts';

/**
 * This node's view of the store's revocation generation (auth_generation), read at most once
 * every `intervalMs` however many requests arrive: one cheap statement shared by all of them.
 * Caches of verified tokens are valid only under the generation they were filled in, so a
 * client revoked on any node is refused here within `intervalMs` (plus one read).
 */
export class RevocationWatch {
  #generation = '';
  #checkedAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<string> | undefined;
  /** Bumped by expire(): a read begun before it may miss that revocation and is not shared. */
  #epoch = 0;
  #readingEpoch = -1;

  constructor(
    private readonly read: () => Promise<string>,
    private readonly intervalMs: number,
    private readonly clock: Clock,
    /** Told when the generation moved (caches drop what they hold). */
    private readonly onChange: () => void,
  ) {}

  /**
   * The current generation: at once while the last read is recent enough, else after one read
   * that concurrent callers share. A failed read fails the callers (the store is down: so is
   * everything the request would do) and the next call tries again.
   */
  current(): string | Promise<string> {
    if (this.clock.now().getTime() - this.#checkedAt < this.intervalMs) return this.#generation;
    if (this.#reading && this.#readingEpoch === this.#epoch) return this.#reading;
    const reading = this.#refresh(this.#epoch).finally(() => {
      if (this.#reading === reading) this.#reading = undefined;
    });
    this.#reading = reading;
    this.#readingEpoch = this.#epoch;
    return reading;
  }

  /** Makes the next `current()` read the store (after a revocation on this node). */
  expire(): void {
    this.#checkedAt = Number.NEGATIVE_INFINITY;
    this.#epoch += 1;
  }

  async #refresh(epoch: number): Promise<string> {
    // The read's start is its age: a revocation committed after it began is not in it.
    const startedAt = this.clock.now().getTime();
    const generation = await this.read();
    if (generation !== this.#generation) {
      this.#generation = generation;
      this.onChange();
    }
    if (epoch === this.#epoch) this.#checkedAt = startedAt;
    return generation;
  }
}
