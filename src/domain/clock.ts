/** The time source port; tests and the dialer take it instead of reading Date directly. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
