/*
 * The simulator's agenda: a binary min-heap of timed events. Ties keep insertion order, so a run
 * never depends on how the heap happens to break them.
 */

/** One scheduled event. */
export interface Scheduled<T> {
  at: number;
  seq: number;
  event: T;
}

/** A min-heap of events by time, then by insertion. */
export class EventQueue<T> {
  readonly #heap: Scheduled<T>[] = [];
  #seq = 0;

  /** Schedules `event` at `at`. */
  push(at: number, event: T): void {
    const heap = this.#heap;
    heap.push({ at, seq: this.#seq++, event });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** The earliest event, without removing it. */
  peek(): Scheduled<T> | undefined {
    return this.#heap[0];
  }

  /** Removes and returns the earliest event. */
  pop(): Scheduled<T> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#before(left, smallest)) smallest = left;
      if (right < heap.length && this.#before(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.#swap(i, smallest);
      i = smallest;
    }
    return top;
  }

  /** How many events are scheduled. */
  get size(): number {
    return this.#heap.length;
  }

  #before(i: number, j: number): boolean {
    const a = this.#heap[i];
    const b = this.#heap[j];
    if (a === undefined || b === undefined) return false;
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i];
    const b = heap[j];
    if (a === undefined || b === undefined) return;
    heap[i] = b;
    heap[j] = a;
  }
}
