/**
 * Lets other work run during a long import. A stream that always has data buffered, or a run
 * of awaited store calls, resolves through microtasks only: without a macrotask turn now and
 * then, timers and sockets (a /healthz probe, other clients) wait until the import ends — a
 * 400k-row import once held /healthz for 9.8 s. `turn()` gives the event loop one turn
 * (setImmediate) when `everyMs` have passed since the last one, and costs nothing otherwise.
 */
export class EventLoopTurns {
  // A bound on real elapsed time, not a business decision: the monotonic clock, not the Clock.
  private last = performance.now();

  constructor(private readonly everyMs = 15) {}

  /** Yields to the event loop if the last turn was `everyMs` or more ago. */
  async turn(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
