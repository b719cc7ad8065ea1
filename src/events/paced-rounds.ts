/** What started a round: the fallback poll, or a wake (an outbox write on this node, say). */
export type RoundKind = 'poll' | 'wake';

/**
 * The schedule of an outbox reader (the webhook relay, the event stream hub): rounds of work
 * woken by events and at least `gapMs` apart, with a fallback poll every `pollMs` when nothing
 * wakes them. Every committed event wakes its node's readers, so under load a burst of commits
 * shares one round instead of each starting its own. A wake during a round asks for one more
 * round after it (after the gap); a wake while the poll is pending brings the round forward; a
 * wake while a woken round is pending changes nothing. After each round `goOn` says whether to
 * keep the schedule going (a hub with no listener stops reading until the next one subscribes).
 * The gap is measured with performance.now(): a pace, not a time of day (the Clock may be stepped).
 */
export class PacedRounds {
  #timer?: NodeJS.Timeout;
  #timerKind: RoundKind = 'poll';
  #running?: Promise<void>;
  #again = false;
  #lastRoundAt = Number.NEGATIVE_INFINITY;
  #stopped = false;

  constructor(
    private readonly options: {
      gapMs: number;
      pollMs: number;
      round: (kind: RoundKind) => Promise<void>;
      goOn: () => boolean;
    },
  ) {}

  /** A round as soon as the gap allows: after the one running, or in place of the pending poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) this.#again = true;
    else if (!this.#timer || this.#timerKind === 'poll') this.#schedule('wake', this.#gapLeft());
  }

  /** Starts the schedule with a round now. */
  startNow(): void {
    this.#schedule('wake', 0);
  }

  /** Starts the schedule with the fallback poll, unless a round is running (it goes on by itself). */
  startPolling(): void {
    if (!this.#running) this.#schedule('poll', this.options.pollMs);
  }

  /** Stops scheduling rounds and waits for the one running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  #gapLeft(): number {
    return Math.max(0, this.#lastRoundAt + this.options.gapMs - performance.now());
  }

  #schedule(kind: RoundKind, delay: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerKind = kind;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#running) {
        this.#again = true;
        return;
      }
      this.#lastRoundAt = performance.now();
      this.#running = this.options.round(kind).finally(() => {
        this.#running = undefined;
        if (this.#stopped || !this.options.goOn()) return;
        const again = this.#again;
        this.#again = false;
        if (again) this.#schedule('wake', this.#gapLeft());
        else this.#schedule('poll', this.options.pollMs);
      });
    }, delay);
  }
}
