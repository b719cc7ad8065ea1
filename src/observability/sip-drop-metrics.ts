import { Counter, type Registry } from 'prom-client';

/** What the SIP stack reports about a message it dropped (its DroppedMessage, structurally). */
export interface SipDropEvent {
  /** Bounded reason: `unparseable`, `too_large`, `too_many_headers`, `too_many_vias`, `rate_limited`, `spoofed_source`, `framing`, `handler_failure`. */
  kind: string;
}

// The stack's DropKind values; anything else counts as `other`, so the label set stays bounded.
const KINDS = new Set([
  'unparseable',
  'too_large',
  'too_many_headers',
  'too_many_vias',
  'rate_limited',
  'spoofed_source',
  'framing',
  'handler_failure',
]);

/** `pconn_sip_dropped_messages_total` by kind: floods, oversized and spoofed messages show here. */
export class SipDropMetrics {
  private readonly dropped: Counter<'kind'>;

  constructor(registry: Registry) {
    this.dropped = new Counter({
      name: 'pconn_sip_dropped_messages_total',
      help: 'SIP messages dropped (or answered 400) by the SIP stack, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    });
  }

  /** The hook to hand to the SIP driver (bound: passed around as a plain function). */
  readonly observe = (event: SipDropEvent): void => {
    this.dropped.inc({ kind: KINDS.has(event.kind) ? event.kind : 'other' });
  };
}
