import { serializeMessage } from '../message/serialize-message.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import type { TransactionContext } from './transaction-context.ts';
import { backlogHoldMs } from './transaction-timers.ts';

/** The transaction user of a client transaction (RFC 3261 §17.1): the UA core. */
export interface ClientTransactionUser {
  /** Every response the transaction passes up (1xx, the first final, and 2xx of INVITE). */
  onResponse(response: SipResponse, transaction: ClientTransaction): void;
  /** Timer B or F fired: no final response (the TU maps it to 408, RFC 3261 §8.1.3.1). */
  onTimeout(transaction: ClientTransaction): void;
  /** The request could not be sent (the TU maps it to 503, RFC 3261 §8.1.3.1). */
  onTransportError(transaction: ClientTransaction, error: Error): void;
}

/** The user of a transaction that has passed up its last response: nothing reaches it. */
const DETACHED_USER: ClientTransactionUser = {
  onResponse() {},
  onTimeout() {},
  onTransportError() {},
};

/** States of RFC 3261 §17.1.1.2 / §17.1.2.2 (calling is INVITE's name for trying). */
export type ClientState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'terminated';

/**
 * Shared part of the client transactions: the request is serialized once, sent, retransmitted
 * by one timer on unreliable transports, and a second timer bounds the transaction's life.
 * Timers call static functions with the transaction as argument: no closure per timer.
 */
export abstract class ClientTransaction {
  readonly key: string;
  /** Method of the request. */
  readonly method: string;
  readonly destination: RemoteAddress;
  /** Where the last response came from (set by the layer before `receive`): a dialog's peer. */
  responseSource: RemoteAddress | undefined;
  state: ClientState;
  protected readonly context: TransactionContext;
  /** The TU until the last response it is given (see {@link passUpLast}). */
  protected user: ClientTransactionUser;
  protected readonly data: Buffer;
  /** Current retransmission interval (Timer A / E). */
  protected interval: number;
  protected retransmitTimer: NodeJS.Timeout | undefined;
  protected lifeTimer: NodeJS.Timeout | undefined;
  /** A retransmission waits for the inbound backlog (another one is then not queued). */
  #holding = false;
  #request: SipRequest | undefined;

  /** Serializes `request` and sends it; throws RangeError when it cannot be written. */
  constructor(
    context: TransactionContext,
    key: string,
    request: SipRequest,
    destination: RemoteAddress,
    user: ClientTransactionUser,
    initial: ClientState,
  ) {
    this.context = context;
    this.key = key;
    this.method = request.method;
    this.#request = request;
    this.destination = destination;
    this.user = user;
    this.state = initial;
    this.data = serializeMessage(request);
    this.interval = context.timers.t1;
  }

  /** True on UDP, where the transaction itself retransmits (RFC 3261 §17.1.1.2). */
  get unreliable(): boolean {
    return this.destination.transport === 'udp';
  }

  /** The request, until the transaction passes up its last response (see {@link passUpLast}). */
  get request(): SipRequest {
    if (!this.#request)
      throw new Error(`the ${this.method} transaction is completed and no longer keeps its request`);
    return this.#request;
  }

  /** Sends the request the first time and arms the timers. */
  abstract start(): void;

  /** Handles a response matched to this transaction (RFC 3261 §17.1.3). */
  abstract receive(response: SipResponse): void;

  /** Timer A / E fired (internal: called by {@link fireRetransmitTimer}). */
  abstract onRetransmitTimer(): void;

  /** Timer B / D / F / K fired (internal: called by {@link fireLifeTimer}). */
  abstract onLifeTimer(): void;

  /**
   * The TU will wait no longer than 64·T1 for a final response (RFC 3261 §9.1, after a CANCEL).
   * Only the INVITE transaction can wait unbounded (in Proceeding); others already have Timer F.
   */
  giveUpWithoutFinal(): void {}

  /** Stops every timer and forgets the transaction. */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    clearTimeout(this.retransmitTimer);
    clearTimeout(this.lifeTimer);
    this.retransmitTimer = this.lifeTimer = undefined;
    this.context.remove(this.key, 'client');
  }

  /** Ends the transaction as a transport error (shutdown), so its user is never left waiting. */
  abort(error: Error): void {
    if (this.state === 'terminated' || this.state === 'completed') {
      this.terminate();
      return;
    }
    this.#failed(error);
  }

  /**
   * Passes up the final response that moves the transaction to completed, the last thing its TU
   * hears: Timers D and K only absorb retransmissions after it, so the TU (a dialog, and through
   * it an ended call) and the parsed request are let go instead of being kept for up to 32 s.
   */
  protected passUpLast(response: SipResponse): void {
    const user = this.user;
    this.user = DETACHED_USER;
    try {
      user.onResponse(response, this);
    } finally {
      this.#request = undefined;
    }
  }

  /** Sends bytes; a failure ends the transaction as a transport error. */
  protected send(data: Buffer): void {
    this.context.transport.send(data, this.destination).catch((error: Error) => this.#failed(error));
  }

  #failed(error: Error): void {
    if (this.state === 'terminated' || this.state === 'completed') return;
    this.terminate();
    this.user.onTransportError(this, error);
  }

  /** Timer B / F: the transaction timed out. */
  protected timedOut(): void {
    if (this.state === 'terminated') return;
    this.terminate();
    this.context.emit({ kind: 'timeout', role: 'client', method: this.method });
    this.user.onTimeout(this);
  }

  /**
   * Retransmits the request (Timer A / E fired) once the responses already queued on our socket
   * have been read: if one of them moved the transaction on, the copy is not sent (a peer may
   * take an INVITE copy arriving after its 2xx for a new request).
   */
  protected retransmit(): void {
    if (this.#holding) return;
    this.#holding = true;
    const state = this.state;
    this.context.transport.afterInboundDrained(backlogHoldMs(this.context.timers), () => {
      this.#holding = false;
      if (this.state !== state) return;
      this.context.emit({ kind: 'retransmit', role: 'client', method: this.method });
      this.send(this.data);
    });
  }
}

/** setTimeout callback of Timer A / E. */
export function fireRetransmitTimer(transaction: ClientTransaction): void {
  transaction.onRetransmitTimer();
}

/** setTimeout callback of Timer B / D / F / K. */
export function fireLifeTimer(transaction: ClientTransaction): void {
  transaction.onLifeTimer();
}
