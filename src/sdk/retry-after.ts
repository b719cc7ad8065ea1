/** Statuses the SDK retries: the server said "not now", never "no". */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Milliseconds to wait before retrying, from a `Retry-After` header (delta-seconds or an
 * HTTP-date, RFC 9110 §10.2.3); without one, exponential backoff from 250 ms. Capped at
 * `maxMs` so a misbehaving server cannot park a client for hours.
 */
export function retryDelayMs(
  retryAfter: string | null,
  attempt: number,
  maxMs: number,
  now = Date.now(),
): number {
  const fallback = 250 * 2 ** attempt;
  if (retryAfter) {
    const trimmed = retryAfter.trim();
    if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, maxMs);
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) return Math.min(Math.max(at - now, 0), maxMs);
  }
  return Math.min(fallback, maxMs);
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
