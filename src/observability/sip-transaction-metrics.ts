import { Counter, type Registry } from 'prom-client';

/**
 * What the SIP stack reports about its transactions (RFC 3261 §17): one event when a client or
 * server transaction is created, one per retransmission (timers A, E, G), one when timer B, F
 * or H fires.
 */
export interface SipTransactionEvent {
  kind: 'created' | 'retransmit' | 'timeout';
  /** The request method (`INVITE`, `BYE`, …). */
  method: string;
  /** Client (we sent the request) or server transaction; absent counts as `client`. */
  role?: 'client' | 'server';
}

/** The hook the SIP stack calls; plain function type so src/telephony/sip needs nothing of ours. */
export type SipTransactionObserver = (event: SipTransactionEvent) => void;

// Methods of RFC 3261 and its extensions; anything else a peer sends counts as `other`, so a
// remote party cannot grow the label set.
const KNOWN_METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

/** `pconn_sip_transactions_total`, `pconn_sip_retransmissions_total`, `pconn_sip_transaction_timeouts_total` by method and role. */
export class SipTransactionMetrics {
  private readonly counters: Record<SipTransactionEvent['kind'], Counter<'method' | 'role'>>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.counters = {
      created: new Counter({
        name: 'pconn_sip_transactions_total',
        help: 'SIP transactions created (client and server), by method and role.',
        labelNames: ['method', 'role'],
        registers,
      }),
      retransmit: new Counter({
        name: 'pconn_sip_retransmissions_total',
        help: 'SIP request and response retransmissions, by method and role.',
        labelNames: ['method', 'role'],
        registers,
      }),
      timeout: new Counter({
        name: 'pconn_sip_transaction_timeouts_total',
        help: 'SIP transactions that timed out (timer B, F or H), by method and role.',
        labelNames: ['method', 'role'],
        registers,
      }),
    };
  }

  /** The observer to hand to the SIP stack (bound: it can be passed around as a plain function). */
  readonly observe: SipTransactionObserver = (event) => {
    const method = KNOWN_METHODS.has(event.method) ? event.method : 'other';
    this.counters[event.kind]?.inc({ method, role: event.role === 'server' ? 'server' : 'client' });
  };
}
