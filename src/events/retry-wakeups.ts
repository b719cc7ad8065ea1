// Retries due within this many ms of one already waited for share its timer (one round claims both).
const SLACK_MS = 20;

/**
 * Calls `wake` when each failed delivery's backoff ends, so the retry goes out then rather than
 * at the relay's next fallback poll. One timer, for the soonest; times are performance.now()
 * (a pace, not a time of day: the relay's Clock may be stepped).
 */
export class RetryWakeups {
  private due: number[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly wake: () => void) {}

  /** Wakes the relay in `delayMs`. */
  after(delayMs: number): void {
    if (this.stopped) return;
    const at = performance.now() + delayMs;
    if (this.due.some((other) => Math.abs(other - at) < SLACK_MS)) return;
    this.due.push(at);
    this.due.sort((a, b) => a - b);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = [];
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const first = this.due[0];
    if (first === undefined || this.stopped) return;
    this.timer = setTimeout(
      () => {
        const now = performance.now();
        this.due = this.due.filter((at) => at > now);
        this.wake();
        this.arm();
      },
      Math.max(0, first - performance.now()),
    );
  }
}
