/** Anything with MessagePort's and Worker's postMessage. */
interface MessageTarget {
  postMessage(value: unknown): void;
}

/**
 * Posts a turn's items as one message. An item that cannot be cloned across threads (an error
 * carrying a function, say) must not take the batch with it, nor throw from the timer that
 * flushes it: the items then go one by one, and each that fails is replaced by what `standIn`
 * returns for it (nothing: the caller settled it on this side).
 */
export function postBatch<T>(
  target: MessageTarget,
  items: T[],
  standIn: (item: T, error: unknown) => T | undefined,
): void {
  try {
    target.postMessage(items);
  } catch {
    for (const item of items) {
      try {
        target.postMessage([item]);
      } catch (error) {
        const replacement = standIn(item, error);
        if (replacement !== undefined) target.postMessage([replacement]);
      }
    }
  }
}
