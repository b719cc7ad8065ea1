/** Rates of a {@link SourceRateLimit}; each `perSecond` refills a bucket of `burst` tokens. */
export interface SourceRateLimitOptions {
  /** Out-of-dialog requests one source IP may send per second, sustained. */
  perSourcePerSecond: number;
  /** Requests one source IP may send at once (a phone's REGISTER and its challenged retry…). */
  perSourceBurst: number;
  /** Out-of-dialog requests from all sources together per second (spoofed sources, many IPs). */
  totalPerSecond: number;
  totalBurst: number;
  /** Sources tracked at most; the least recently seen are forgotten first. Default 10,000. */
  maxSources?: number;
  /** Monotonic milliseconds (tests step it); default `performance.now()`. */
  now?: () => number;
}

/**
 * Defaults of the SIP driver. Per source: 20/s with a burst of 100 admits a NAT'd office of
 * hundreds of phones re-registering (one REGISTER and its challenged retry each, spread over
 * their Expires) and a trunk's OPTIONS, while a flooding IP holds at most 20·32 = 640 server
 * transactions (Timer J) of ≤ 16 KiB. In total: 500/s, far above what pconn serves out of
 * dialog, bounds what spoofed sources can make it keep.
 */
export const DEFAULT_SOURCE_RATE_LIMIT: SourceRateLimitOptions = {
  perSourcePerSecond: 20,
  perSourceBurst: 100,
  totalPerSecond: 500,
  totalBurst: 1000,
};

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per source IP and for all sources, for requests that open work without a
 * dialog or a login behind them (RFC 3261 out-of-dialog requests: REGISTER, OPTIONS, INVITE…).
 * Keyed by IP, not IP:port: a flooder picks any source port, while phones behind one NAT share
 * an IP and are covered by the burst.
 */
export class SourceRateLimit {
  readonly #options: SourceRateLimitOptions;
  readonly #now: () => number;
  readonly #max: number;
  readonly #sources = new Map<string, Bucket>();
  readonly #total: Bucket;

  constructor(options: SourceRateLimitOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#max = options.maxSources ?? 10_000;
    this.#total = { tokens: options.totalBurst, at: this.#now() };
  }

  /** Takes one token for `host` (and one from the total); false when either is empty. */
  allow(host: string): boolean {
    const now = this.#now();
    const o = this.#options;
    let bucket = this.#sources.get(host);
    if (bucket) this.#sources.delete(host);
    else {
      bucket = { tokens: o.perSourceBurst, at: now };
      if (this.#sources.size >= this.#max) {
        const oldest = this.#sources.keys().next().value;
        if (oldest !== undefined) this.#sources.delete(oldest);
      }
    }
    // Re-inserted: Map order is least recently seen first, which eviction relies on.
    this.#sources.set(host, bucket);
    refill(bucket, now, o.perSourcePerSecond, o.perSourceBurst);
    refill(this.#total, now, o.totalPerSecond, o.totalBurst);
    if (bucket.tokens < 1 || this.#total.tokens < 1) return false;
    bucket.tokens -= 1;
    this.#total.tokens -= 1;
    return true;
  }

  /** Sources currently tracked. */
  get size(): number {
    return this.#sources.size;
  }
}

function refill(bucket: Bucket, now: number, perSecond: number, burst: number): void {
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
  bucket.at = now;
}
