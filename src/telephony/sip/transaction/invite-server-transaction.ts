import { createResponse } from '../message/create-response.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import { fireServerLife, fireServerRetransmit, ServerTransaction } from './server-transaction.ts';
import type { TransactionContext } from './transaction-context.ts';
import { backlogHoldMs, transactionTimeout } from './transaction-timers.ts';

/** RFC 3261 §17.2.1: send 100 Trying when the TU has not answered within 200 ms. */
const TRYING_DELAY_MS = 200;

function fireTrying(transaction: InviteServerTransaction): void {
  transaction.sendTrying();
}

/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7, with RFC 6026's Accepted state):
 * 100 Trying after 200 ms, retransmitted INVITEs get the last response, a non-2xx final is
 * retransmitted by Timer G until the ACK (Timer H gives up), Timer I absorbs ACK copies. After
 * a 2xx the transaction only absorbs INVITE copies for Timer L; the TU retransmits the 2xx
 * itself (§13.3.1.4) and receives its ACK, which has a branch of its own.
 */
export class InviteServerTransaction extends ServerTransaction {
  #interval: number;
  /** A Timer G retransmission waits for the inbound backlog. */
  #holding = false;

  /** Creates the transaction in state proceeding and arms the 100 Trying timer. */
  constructor(context: TransactionContext, key: string, request: SipRequest, source: RemoteAddress) {
    super(context, key, request, source, 'proceeding');
    this.#interval = context.timers.t1;
    this.retransmitTimer = setTimeout(fireTrying, TRYING_DELAY_MS, this);
  }

  /** Sends 100 Trying unless the TU already answered (internal timer entry). */
  sendTrying(): void {
    this.retransmitTimer = undefined;
    if (this.state === 'proceeding' && this.lastStatus === 0)
      this.sendResponse(createResponse(this.request, 100));
  }

  /** An INVITE copy gets the last response again (proceeding, completed); an ACK confirms. */
  receive(request: SipRequest): void {
    if (request.method === 'ACK') {
      if (this.state !== 'completed') return;
      this.state = 'confirmed';
      clearTimeout(this.retransmitTimer);
      clearTimeout(this.lifeTimer);
      // Timer I: absorb ACK copies for T4 on UDP; 0 on reliable transports.
      if (this.unreliable) this.lifeTimer = setTimeout(fireServerLife, this.context.timers.t4, this);
      else this.terminate();
      return;
    }
    if (this.state === 'proceeding' || this.state === 'completed') {
      this.context.emit({ kind: 'retransmit', role: 'server', method: this.method });
      this.resend();
    }
  }

  /** Sends a response from the TU per Figure 7. */
  respond(response: SipResponse): void {
    if (this.state !== 'proceeding') return;
    if (response.status < 200) {
      this.sendResponse(response);
      return;
    }
    clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
    this.sendResponse(response);
    const timeout = transactionTimeout(this.context.timers);
    if (response.status < 300) {
      // RFC 6026 §7.1: Accepted; Timer L = 64*T1 absorbs retransmitted INVITEs.
      this.state = 'accepted';
      this.lifeTimer = setTimeout(fireServerLife, timeout, this);
      return;
    }
    this.state = 'completed';
    if (this.unreliable) this.retransmitTimer = setTimeout(fireServerRetransmit, this.#interval, this);
    this.lifeTimer = setTimeout(fireServerLife, timeout, this);
  }

  /** Timer G: retransmit the final response, doubling up to T2. */
  override onRetransmitTimer(): void {
    if (this.state !== 'completed') return;
    this.#resendWhenDrained();
    this.#interval = Math.min(2 * this.#interval, this.context.timers.t2);
    this.retransmitTimer = setTimeout(fireServerRetransmit, this.#interval, this);
  }

  /** Resends the final once an ACK that may already wait on our socket has been read. */
  #resendWhenDrained(): void {
    if (this.#holding) return;
    this.#holding = true;
    this.context.transport.afterInboundDrained(backlogHoldMs(this.context.timers), () => {
      this.#holding = false;
      if (this.state !== 'completed') return;
      this.context.emit({ kind: 'retransmit', role: 'server', method: this.method });
      this.resend();
    });
  }

  /** Timer H (no ACK: timeout), I or L (done). */
  onLifeTimer(): void {
    if (this.state === 'completed')
      this.context.emit({ kind: 'timeout', role: 'server', method: this.method });
    this.terminate();
  }
}
