import type { SipTransport } from '../transport/sip-transport.ts';
import type { TimerBases, TransactionEvent } from './transaction-timers.ts';

/** What every transaction needs from its layer: sockets, timers, bookkeeping. */
export interface TransactionContext {
  readonly transport: SipTransport;
  readonly timers: TimerBases;
  /** Reports an event to the observer, if any. */
  emit(event: TransactionEvent): void;
  /** Forgets a terminated transaction. */
  remove(key: string, role: 'client' | 'server'): void;
}
