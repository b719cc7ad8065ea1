/** How long to wait, and what for (named in the timeout error). */
export interface WaitOptions {
  timeout?: number;
  what?: string;
  /** Pause between checks, ms: a condition that needs a request to check should not spin. */
  interval?: number;
}

/**
 * Resolves with the first truthy value of `condition` (sync or async), checked now and then
 * every `interval` ms; throws naming `what` once `timeout` ms have passed. The way tests wait
 * for something to have happened, instead of sleeping and hoping it has.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeout = 5000, what = 'condition', interval = 10 }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
