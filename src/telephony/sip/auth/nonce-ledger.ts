/**
 * Where a registrar records which nonce-counts it accepted (RFC 7616 §3.4 and §5.13, RFC 3261
 * §22.4): a digest answer is only accepted with an `nc` above every count already accepted for
 * its nonce, so a captured Authorization cannot be sent again. Answers without qop carry no
 * count and are recorded as count 1: such a nonce is single-use. Nodes sharing a registrar
 * domain must share the ledger (pconn keeps it in its store), otherwise a header captured on
 * one node replays on another.
 */
export interface NonceLedger {
  /**
   * Records that `nonce` was answered with count `nc`. True when `nc` is above every count
   * accepted for this nonce before (its first use included); false for a replay or an
   * out-of-order count. `expiresAt` (ms since the epoch) is when the nonce stops being
   * accepted anyway, after which the record may be forgotten.
   */
  use(nonce: string, nc: number, expiresAt: number): Promise<boolean>;
}

/**
 * A ledger in this process's memory: enough for a single node. Records are dropped once their
 * nonce has expired; at most `limit` are kept (the soonest to expire go first when full, so a
 * flood of answers can neither grow memory nor evict a live nonce before older ones).
 */
export class MemoryNonceLedger implements NonceLedger {
  readonly #counts = new Map<string, { nc: number; expiresAt: number }>();

  /** `now` (ms) decides what has expired; `limit` bounds the records kept. */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly limit = 100_000,
  ) {}

  async use(nonce: string, nc: number, expiresAt: number): Promise<boolean> {
    const seen = this.#counts.get(nonce);
    if (seen && seen.expiresAt > this.now() && seen.nc >= nc) return false;
    this.#counts.set(nonce, { nc, expiresAt });
    if (this.#counts.size > this.limit) this.#prune();
    return true;
  }

  /** Drops expired records, then (still full) the soonest to expire. */
  #prune(): void {
    const now = this.now();
    for (const [nonce, { expiresAt }] of this.#counts) if (expiresAt <= now) this.#counts.delete(nonce);
    if (this.#counts.size <= this.limit) return;
    const bySoonest = [...this.#counts].sort((a, b) => a[1].expiresAt - b[1].expiresAt);
    for (const [nonce] of bySoonest.slice(0, this.#counts.size - this.limit)) this.#counts.delete(nonce);
  }
}
