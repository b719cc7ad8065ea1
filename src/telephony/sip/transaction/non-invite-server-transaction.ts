import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import { fireServerLife, ServerTransaction } from './server-transaction.ts';
import type { TransactionContext } from './transaction-context.ts';
import { transactionTimeout } from './transaction-timers.ts';

/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8): retransmitted requests get the
 * last response again; Timer J (64*T1 on UDP, 0 on TCP) keeps it after the final response.
 */
export class NonInviteServerTransaction extends ServerTransaction {
  /** Creates the transaction in state trying. */
  constructor(context: TransactionContext, key: string, request: SipRequest, source: RemoteAddress) {
    super(context, key, request, source, 'trying');
  }

  /** A retransmission: answered with the last response, absorbed while trying. */
  receive(_request: SipRequest): void {
    if (this.state === 'proceeding' || this.state === 'completed') {
      this.context.emit({ kind: 'retransmit', role: 'server', method: this.method });
      this.resend();
    }
  }

  /** Sends a provisional (→ proceeding) or final (→ completed, Timer J) response. */
  respond(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.sendResponse(response);
    if (response.status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    if (this.unreliable) {
      this.forgetRequest();
      this.lifeTimer = setTimeout(fireServerLife, transactionTimeout(this.context.timers), this);
    } else this.terminate();
  }

  /** Timer J: done. */
  onLifeTimer(): void {
    this.terminate();
  }
}
