/**
 * The wait before retry `index` (0 = after the first failure) of a delivery, from the
 * configured schedule (roughly exponential: 5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 10 h by default)
 * with ±20 % jitter so endpoints that failed together are not retried in lockstep.
 * undefined when the schedule is exhausted: the delivery fails for good.
 */
export function retryDelayMs(
  schedule: readonly number[],
  index: number,
  random = Math.random,
): number | undefined {
  const base = schedule[index];
  if (base === undefined) return undefined;
  return Math.round(base * (0.8 + 0.4 * random()));
}
