/** The size a reused buffer starts at, and the most one keeps between uses. */
const START_BYTES = 64 * 1024;
const KEPT_BYTES = 1024 * 1024;

/**
 * `buffer` when it holds `needed` bytes and is no larger than a buffer kept between uses, else a
 * fresh one: the store's thread writes each run's message and gathers each answer in one buffer
 * reused from run to run, and does not hold on to the megabytes one large batch made it grow to.
 */
export function reusable(buffer: Buffer | undefined, needed = 0): Buffer {
  if (buffer !== undefined && buffer.length >= needed && buffer.length <= KEPT_BYTES) return buffer;
  return Buffer.allocUnsafe(Math.max(needed, START_BYTES));
}
