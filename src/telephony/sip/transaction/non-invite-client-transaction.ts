import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import {
  ClientTransaction,
  type ClientTransactionUser,
  fireLifeTimer,
  fireRetransmitTimer,
} from './client-transaction.ts';
import type { TransactionContext } from './transaction-context.ts';
import { transactionTimeout } from './transaction-timers.ts';

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6): Timer E retransmits on UDP
 * (doubling up to T2, then every T2 once a provisional arrived), Timer F bounds the
 * transaction, Timer K absorbs retransmitted finals.
 */
export class NonInviteClientTransaction extends ClientTransaction {
  /** Creates the transaction; call `start()` to send. */
  constructor(
    context: TransactionContext,
    key: string,
    request: SipRequest,
    destination: RemoteAddress,
    user: ClientTransactionUser,
  ) {
    super(context, key, request, destination, user, 'trying');
  }

  /** Sends the request, arms Timer E (UDP only) and Timer F. */
  start(): void {
    this.send(this.data);
    if (this.unreliable) this.retransmitTimer = setTimeout(fireRetransmitTimer, this.interval, this);
    this.lifeTimer = setTimeout(fireLifeTimer, transactionTimeout(this.context.timers), this);
  }

  /** Timer E: retransmit; the interval doubles up to T2 in trying and is T2 in proceeding. */
  onRetransmitTimer(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.retransmit();
    const { t2 } = this.context.timers;
    this.interval = this.state === 'trying' ? Math.min(2 * this.interval, t2) : t2;
    this.retransmitTimer = setTimeout(fireRetransmitTimer, this.interval, this);
  }

  /** Timer F (timeout) or Timer K (completed → terminated). */
  onLifeTimer(): void {
    if (this.state === 'completed') this.terminate();
    else this.timedOut();
  }

  /** Handles a response per Figure 6; finals after the first are absorbed. */
  receive(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    if (response.status < 200) {
      this.state = 'proceeding';
      this.user.onResponse(response, this);
      return;
    }
    this.state = 'completed';
    clearTimeout(this.retransmitTimer);
    clearTimeout(this.lifeTimer);
    // Timer K = T4 on UDP, 0 on reliable transports.
    if (this.unreliable) this.lifeTimer = setTimeout(fireLifeTimer, this.context.timers.t4, this);
    else this.terminate();
    this.passUpLast(response);
  }
}
