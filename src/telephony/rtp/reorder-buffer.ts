/**
 * A small jitter buffer that puts packets back in sequence order. It holds at most `depth`
 * packets waiting for a missing one, and a packet no longer than `holdMs`: after that the gap
 * is declared lost and delivery moves on, so a reordered packet costs at most a few frames of
 * delay and a lost one never stalls the leg.
 */

/** Delivered in sequence order: an entry, or `undefined` for each sequence number given up. */
export type ReorderDelivery<T> = (entry: T | undefined) => void;

/** Outcome of `push`. */
export type ReorderPush = 'queued' | 'too-late';

/** Reorders entries keyed by extended sequence number. */
export class ReorderBuffer<T> {
  private next: number | undefined;
  private readonly waiting = new Map<number, { entry: T; at: number }>();

  /**
   * @param depth packets held while one is missing (3 = 60 ms at 20 ms packets)
   * @param holdMs longest a packet waits for a missing predecessor
   * @param maxGap longest run of missing numbers reported one by one; a longer gap (a restart,
   *   a long hold) is skipped without placeholders
   */
  constructor(
    private readonly deliver: ReorderDelivery<T>,
    private readonly depth = 3,
    private readonly holdMs = 60,
    private readonly maxGap = 50,
  ) {}

  /** Adds the entry of extended sequence `extended` that arrived at `nowMs`. */
  push(extended: number, entry: T, nowMs: number): ReorderPush {
    if (this.next === undefined) this.next = extended;
    if (extended < this.next) return 'too-late';
    if (extended === this.next && this.waiting.size === 0) {
      // The usual case: the packet expected, nothing waiting. It goes straight through.
      this.next++;
      this.deliver(entry);
      return 'queued';
    }
    this.waiting.set(extended, { entry, at: nowMs });
    this.drain();
    if (this.waiting.size > this.depth) this.skipGap();
    return 'queued';
  }

  /** Gives up on a missing packet once the oldest waiting one has waited `holdMs`. */
  flush(nowMs: number): void {
    while (this.waiting.size > 0) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const { at } of this.waiting.values()) oldest = Math.min(oldest, at);
      if (nowMs - oldest < this.holdMs) return;
      this.skipGap();
    }
  }

  /** Reset after a new source: the next entry pushed starts the sequence again. */
  reset(): void {
    this.waiting.clear();
    this.next = undefined;
  }

  private drain(): void {
    while (this.next !== undefined) {
      const found = this.waiting.get(this.next);
      if (!found) return;
      this.waiting.delete(this.next);
      this.next++;
      this.deliver(found.entry);
    }
  }

  /** Moves `next` to the lowest waiting number, reporting the numbers skipped. */
  private skipGap(): void {
    if (this.next === undefined || this.waiting.size === 0) return;
    let lowest = Number.POSITIVE_INFINITY;
    for (const key of this.waiting.keys()) lowest = Math.min(lowest, key);
    const gap = lowest - this.next;
    if (gap <= this.maxGap) for (let i = 0; i < gap; i++) this.deliver(undefined);
    this.next = lowest;
    this.drain();
  }
}
