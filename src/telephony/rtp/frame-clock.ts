/**
 * One timer for every leg: a timer wheel of `slots` slots per `periodMs` period. Each leg is
 * placed in the least loaded slot and ticks every period at start + k·period + slot·(period /
 * slots) — a grid computed from a monotonic start, never by adding periods to the last firing,
 * so lateness of one firing does not accumulate into drift. Spreading legs over slots spreads
 * the sending work over the period: with 500 legs, each firing serves a quarter of them, so the
 * last leg of a firing leaves a quarter as late as it would with one big loop.
 */

/** Called on each of a leg's ticks with the instant it was due and the instant it ran. */
export type TickListener = (dueMs: number, nowMs: number) => void;

/** The monotonic time source (ms); performance.now by default. */
export type MonotonicClock = () => number;

/** A shared periodic tick on a drift-free grid. */
export class FrameClock {
  private readonly slotsOf = new Map<TickListener, number>();
  private readonly listeners: Array<Set<TickListener>>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private start = 0;
  /** Index of the next slot firing (counted from start, across periods). */
  private next = 0;
  private readonly slotMs: number;
  /** When the timer last fired and the slot instant it was due (for benchmarks' diagnostics). */
  lastFiring = { dueMs: 0, firedMs: 0 };

  constructor(
    readonly periodMs = 20,
    private readonly now: MonotonicClock = () => performance.now(),
    readonly slots = 4,
  ) {
    this.slotMs = periodMs / slots;
    this.listeners = Array.from({ length: slots }, () => new Set<TickListener>());
  }

  /** Starts calling `listener` every period; returns the function that stops it. */
  add(listener: TickListener): () => void {
    let slot = 0;
    for (let i = 1; i < this.slots; i++) {
      if ((this.listeners[i]?.size ?? 0) < (this.listeners[slot]?.size ?? 0)) slot = i;
    }
    this.listeners[slot]?.add(listener);
    this.slotsOf.set(listener, slot);
    if (this.timer === undefined) {
      this.start = this.now();
      this.next = 1;
      this.arm();
    }
    return () => {
      const at = this.slotsOf.get(listener);
      if (at === undefined) return;
      this.slotsOf.delete(listener);
      this.listeners[at]?.delete(listener);
      if (this.slotsOf.size === 0 && this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Legs listening. */
  get size(): number {
    return this.slotsOf.size;
  }

  private arm(): void {
    const delay = Math.max(0, this.start + this.next * this.slotMs - this.now());
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    const now = this.now();
    const last = Math.max(this.next, Math.floor((now - this.start) / this.slotMs));
    // After a stall, each slot runs once, at its latest due instant: legs catch up by count.
    for (let index = Math.max(this.next, last - this.slots + 1); index <= last; index++) {
      const due = this.start + index * this.slotMs;
      this.lastFiring = { dueMs: due, firedMs: now };
      for (const listener of this.listeners[index % this.slots] ?? []) {
        try {
          listener(due, now);
        } catch {
          // One leg's failure must not stop the others' media; legs catch their own errors.
        }
      }
    }
    this.next = last + 1;
    if (this.slotsOf.size > 0) this.arm();
    else this.timer = undefined;
  }
}
