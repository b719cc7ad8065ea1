/**
 * One timer for every leg: ticks every `periodMs` on a grid computed from a monotonic start
 * (start + k·period), never by adding periods to the last firing, so lateness of one tick does
 * not accumulate into drift. 500 legs cost one timer and one loop over them per tick.
 */

/** Called on each tick with the instant the tick was due and the instant it ran. */
export type TickListener = (dueMs: number, nowMs: number) => void;

/** The monotonic time source (ms); performance.now by default. */
export type MonotonicClock = () => number;

/** A shared periodic tick on a drift-free grid. */
export class FrameClock {
  private readonly listeners = new Set<TickListener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private start = 0;
  private tick = 0;

  constructor(
    readonly periodMs = 20,
    private readonly now: MonotonicClock = () => performance.now(),
  ) {}

  /** Starts calling `listener` every tick; returns the function that stops it. */
  add(listener: TickListener): () => void {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.start = this.now();
      this.tick = 0;
      this.arm();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Legs listening. */
  get size(): number {
    return this.listeners.size;
  }

  private arm(): void {
    const delay = Math.max(0, this.start + (this.tick + 1) * this.periodMs - this.now());
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    const now = this.now();
    // After a stall, jump to the latest tick due: each leg catches up from its own count.
    this.tick = Math.max(this.tick + 1, Math.floor((now - this.start) / this.periodMs));
    const due = this.start + this.tick * this.periodMs;
    for (const listener of this.listeners) {
      try {
        listener(due, now);
      } catch {
        // One leg's failure must not stop the others' media; legs catch their own errors.
      }
    }
    if (this.listeners.size > 0) this.arm();
    else this.timer = undefined;
  }
}
