import { serializeMessage } from '../message/serialize-message.ts';
import { SipHeaders } from '../message/sip-headers.ts';
import { createRequest, type SipRequest, type SipResponse } from '../message/sip-message.ts';
import { getCSeq } from '../message/typed-headers.ts';
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
 * The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI, Call-ID, From,
 * CSeq number and top Via as the INVITE, the To of the response (with its tag) and the INVITE's
 * Route headers.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const via = invite.headers.list('via')[0];
  if (via !== undefined) headers.append('Via', via);
  for (const route of invite.headers.getAll('route')) headers.append('Route', route);
  headers.append('Max-Forwards', '70');
  const copy = (name: string, from: SipHeaders) => {
    const value = from.get(name);
    if (value !== undefined) headers.append(name, value);
  };
  copy('From', invite.headers);
  copy('To', response.headers);
  copy('Call-ID', invite.headers);
  headers.append('CSeq', `${getCSeq(invite.headers)?.seq ?? 1} ACK`);
  return createRequest('ACK', invite.uri, headers);
}

/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5): Timer A retransmits on UDP, Timer B
 * bounds the wait for a first response, a non-2xx final is ACKed here and absorbed for Timer D.
 * A 2xx terminates it at once: the TU ACKs 2xx and their retransmissions (§13.2.2.4).
 * In Proceeding the callee may ring for as long as it likes: Timer B no longer applies (Figure 5),
 * the TU bounds the wait with its ring timeout and CANCEL, then `giveUpWithoutFinal()`.
 */
export class InviteClientTransaction extends ClientTransaction {
  #ack: Buffer | undefined;

  /** Creates the transaction; call `start()` to send. */
  constructor(
    context: TransactionContext,
    key: string,
    request: SipRequest,
    destination: RemoteAddress,
    user: ClientTransactionUser,
  ) {
    super(context, key, request, destination, user, 'calling');
  }

  /** Sends the INVITE, arms Timer A (UDP only) and Timer B. */
  start(): void {
    this.send(this.data);
    if (this.unreliable) this.retransmitTimer = setTimeout(fireRetransmitTimer, this.interval, this);
    this.lifeTimer = setTimeout(fireLifeTimer, transactionTimeout(this.context.timers), this);
  }

  /** Timer A: retransmit and double the interval while calling. */
  onRetransmitTimer(): void {
    if (this.state !== 'calling') return;
    this.retransmit();
    this.interval *= 2;
    this.retransmitTimer = setTimeout(fireRetransmitTimer, this.interval, this);
  }

  /** §9.1: a cancelled INVITE that gets no final within 64·T1 is destroyed as timed out. */
  override giveUpWithoutFinal(): void {
    if (this.state !== 'proceeding' || this.lifeTimer) return;
    this.lifeTimer = setTimeout(fireLifeTimer, transactionTimeout(this.context.timers), this);
  }

  /** Timer B (calling), the §9.1 give-up (proceeding) or Timer D (completed → terminated). */
  onLifeTimer(): void {
    if (this.state === 'completed') this.terminate();
    else this.timedOut();
  }

  /** Handles a response per Figure 5. */
  receive(response: SipResponse): void {
    const { status } = response;
    if (this.state === 'calling' || this.state === 'proceeding') {
      if (status < 200) {
        if (this.state === 'calling') {
          clearTimeout(this.lifeTimer);
          this.lifeTimer = undefined;
        }
        this.state = 'proceeding';
        clearTimeout(this.retransmitTimer);
        this.user.onResponse(response, this);
        return;
      }
      if (status < 300) {
        this.terminate();
        this.user.onResponse(response, this);
        return;
      }
      this.state = 'completed';
      clearTimeout(this.retransmitTimer);
      clearTimeout(this.lifeTimer);
      this.#ack = serializeMessage(buildNon2xxAck(this.request, response));
      this.send(this.#ack);
      // Timer D: absorb retransmitted finals; 0 on reliable transports.
      if (this.unreliable) {
        this.lifeTimer = setTimeout(fireLifeTimer, transactionTimeout(this.context.timers), this);
      } else this.terminate();
      this.passUpLast(response);
      return;
    }
    if (this.state === 'completed' && status >= 300 && this.#ack) {
      this.context.emit({ kind: 'retransmit', role: 'client', method: 'ACK' });
      this.send(this.#ack);
    }
  }
}
