import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { TimerBases } from '../transaction/transaction-timers.ts';
import type { SipTransport } from '../transport/sip-transport.ts';
import type { RemoteAddress, SipTransportName } from '../transport/transport-types.ts';
import type { SessionDialog } from './session-dialog.ts';

/** What the UA's parts (invites, dialogs, requests) share: the layers and local identity. */
export interface UaContext {
  readonly layer: TransactionLayer;
  readonly transport: SipTransport;
  readonly timers: TimerBases;
  /** User-Agent header value. */
  readonly userAgent: string;
  /** How long a deferred ACK may wait before the UA ACKs empty and BYEs. */
  readonly ackTimeoutMs: number;
  /** A top Via for a new request over `transport`: our sent-by, a fresh branch, `;rport`. */
  via(transport: SipTransportName): string;
  /** Our Contact value for `transport` (RFC 3261 §8.1.1.8). */
  contact(transport: SipTransportName): string;
  /** Where a request for `uri` goes (RFC 3261 §8.1.2, RFC 3263 without DNS). */
  nextHop(uri: string): RemoteAddress | undefined;
  /** Default From value (no tag). */
  defaultFrom(): string;
  /** Registers a dialog so that in-dialog requests and 2xx retransmissions find it. */
  addDialog(dialog: SessionDialog): void;
  /** Forgets an ended dialog. */
  removeDialog(dialog: SessionDialog): void;
  /** Keeps an answered INVITE for 64*T1 so that 2xx from other forks can be ACKed and ended. */
  rememberAnswered(callId: string, handler: ForkHandler): void;
}

/** What handles a 2xx from another fork of an answered INVITE (RFC 3261 §13.2.2.4). */
export interface ForkHandler {
  onForked2xx(response: SipResponse, source: RemoteAddress): void;
}

/** Appends the headers every request we originate carries (User-Agent). */
export function stampRequest(context: UaContext, request: SipRequest): SipRequest {
  if (!request.headers.has('user-agent')) request.headers.append('User-Agent', context.userAgent);
  return request;
}
