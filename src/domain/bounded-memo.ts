/**
 * A pure function's answers remembered by key, for keys that come from clients: at most `max`
 * answers are kept (past that the memo starts over, which costs one recomputation per key and
 * keeps memory flat whatever clients send), and a key longer than `maxKeyLength` is answered but
 * never kept, so one huge value cannot hold memory either. Answers must not be undefined.
 */
export class BoundedMemo<T> {
  readonly #answers = new Map<string, T>();

  constructor(
    private readonly compute: (key: string) => T,
    private readonly max: number,
    private readonly maxKeyLength = 64,
  ) {}

  get(key: string): T {
    if (key.length > this.maxKeyLength) return this.compute(key);
    let answer = this.#answers.get(key);
    if (answer === undefined) {
      answer = this.compute(key);
      if (this.#answers.size >= this.max) this.#answers.clear();
      this.#answers.set(key, answer);
    }
    return answer;
  }

  /** How many answers are kept now (tests check the bound). */
  get size(): number {
    return this.#answers.size;
  }
}
