import type { Clock } from '../../domain/clock.ts';

/**
 * Token buckets per key (client id, or client address before authentication): `ratePerSecond`
 * sustained with bursts up to `burst`. In-process: with several nodes each node enforces the
 * limit separately, which bounds a client at nodes × rate — documented in the README.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {}

  /** Takes one token for `key`; returns 0 when allowed, else seconds until one is available. */
  take(key: string, now = this.clock.now().getTime()): number {
    if (this.ratePerSecond <= 0) return 0;
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond,
    );
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.evictFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.ratePerSecond;
  }

  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond >= this.burst)
        this.buckets.delete(key);
    }
  }
}
