import { PconnError } from '../../domain/pconn-error.ts';

/**
 * Slow secret checks per source address, as token buckets: each check takes a token before it
 * starts (so a parallel burst cannot all pass the test before the first one fails), and a
 * check that succeeds gives it back, so only failures spend the budget. Past the budget the
 * address gets 429 `rate_limited` with Retry-After before any scrypt work is queued.
 */
export class FailedAuthLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAtMs: number }>();

  constructor(
    private readonly burst: number,
    private readonly refillPerSecond: number,
    /** What was refused, for the problem's detail ("client authentications from this address"). */
    private readonly refused = 'failed client authentications from this address',
  ) {}

  /** Takes one check from `source`'s budget, or throws 429 `rate_limited`. */
  reserve(source: string, nowMs: number): void {
    const bucket = this.refilled(source, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const wait = (1 - bucket.tokens) / this.refillPerSecond;
    throw new PconnError('rate_limited', `Too many ${this.refused}; retry in ${Math.ceil(wait)} s.`, {
      retryAfterSeconds: wait,
      retryable: true,
    });
  }

  /** Gives back the check a successful authentication took. */
  refund(source: string, nowMs: number): void {
    const bucket = this.refilled(source, nowMs);
    bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
  }

  private refilled(source: string, nowMs: number): { tokens: number; updatedAtMs: number } {
    let bucket = this.buckets.get(source);
    if (!bucket) {
      // Full buckets carry no information: drop them when the map grows (many addresses).
      if (this.buckets.size >= 100_000) this.evictFull(nowMs);
      bucket = { tokens: this.burst, updatedAtMs: nowMs };
      this.buckets.set(source, bucket);
    }
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + (Math.max(0, nowMs - bucket.updatedAtMs) / 1000) * this.refillPerSecond,
    );
    bucket.updatedAtMs = nowMs;
    return bucket;
  }

  private evictFull(nowMs: number): void {
    for (const [source, bucket] of this.buckets) {
      if (bucket.tokens + ((nowMs - bucket.updatedAtMs) / 1000) * this.refillPerSecond >= this.burst)
        this.buckets.delete(source);
    }
  }
}
