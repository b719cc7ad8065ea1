/**
 * Runs async jobs with at most `concurrency` at once, taking turns between sources (round
 * robin), so one address flooding the slow secret check delays another address's check by at
 * most one job per running slot, not by its whole backlog. scrypt's async form already runs on
 * libuv's pool (4 threads by default), not on the event loop; the cap keeps pool threads free
 * for the rest of the process (fs, dns, zlib) on a 2-core machine.
 */
export class FairQueue {
  private running = 0;
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly concurrency: number) {}

  /** Runs `job` when its source's turn comes. */
  async run<T>(source: string, job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(source);
        if (queue) queue.push(resolve);
        else this.waiting.set(source, [resolve]);
      });
    } else {
      this.running += 1;
    }
    try {
      return await job();
    } finally {
      this.next(source);
    }
  }

  /**
   * Hands the finished job's slot to the next source in turn: another source than the one that
   * just ran when any waits; a served source moves to the back (Map order is the turn order).
   */
  private next(finished: string): void {
    let chosen: [string, Array<() => void>] | undefined;
    for (const entry of this.waiting) {
      chosen ??= entry;
      if (entry[0] !== finished) {
        chosen = entry;
        break;
      }
    }
    if (!chosen) {
      this.running -= 1;
      return;
    }
    const [source, queue] = chosen;
    const resolve = queue.shift();
    this.waiting.delete(source);
    if (queue.length > 0) this.waiting.set(source, queue);
    resolve?.();
  }
}
