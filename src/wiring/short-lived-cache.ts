/**
 * A read-through cache whose entries live `ttlMs` (by the injected clock): for lookups made on
 * every dial whose answer changes rarely and may be seconds stale — a tenant's trunk, read once
 * per contact leg, was one statement per call. Concurrent misses for one key share one lookup;
 * a failed lookup is not kept. The number of keys is bounded by what callers look up (tenants).
 */
export class ShortLivedCache<V> {
  readonly #entries = new Map<string, { value: Promise<V>; until: number }>();

  constructor(
    private readonly lookup: (key: string) => Promise<V>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Drops `key`'s entry (it changed through this node): the next get looks it up. */
  forget(key: string): void {
    this.#entries.delete(key);
  }

  get(key: string): Promise<V> {
    const at = this.now();
    const entry = this.#entries.get(key);
    if (entry && entry.until > at) return entry.value;
    const value = this.lookup(key);
    this.#entries.set(key, { value, until: at + this.ttlMs });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value;
  }
}
