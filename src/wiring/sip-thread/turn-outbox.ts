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

/**
 * What one side of the SIP thread has to say, gathered over one turn of its event loop and
 * posted as ONE message (postBatch) once that turn's I/O callbacks have run, so the threads
 * exchange a message per batch of legs, not per SIP event. `open` says whether to post at all
 * (not once the other side is gone).
 */
export class TurnOutbox<T> {
  #items: T[] = [];

  constructor(
    private readonly target: MessageTarget,
    private readonly standIn: (item: T, error: unknown) => T | undefined,
    private readonly open: () => boolean = () => true,
  ) {}

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const items = this.#items;
    this.#items = [];
    if (this.open()) postBatch(this.target, items, this.standIn);
  }
}
