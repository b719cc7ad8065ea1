import { serializeMessage } from '../message/serialize-message.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import type { TransactionContext } from './transaction-context.ts';

/** States of RFC 3261 §17.2.1 / §17.2.2, plus RFC 6026 `accepted` for INVITE 2xx. */
export type ServerState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/**
 * Shared part of the server transactions: remembers the last response (serialized once) to
 * answer retransmitted requests, and where responses go (RFC 3261 §18.2.2, RFC 3581).
 */
export abstract class ServerTransaction {
  readonly key: string;
  /** Method of the request. */
  readonly method: string;
  readonly source: RemoteAddress;
  state: ServerState;
  /** Status of the last response sent; 0 before any. */
  lastStatus = 0;
  protected readonly context: TransactionContext;
  protected lastResponse: Buffer | undefined;
  protected target: RemoteAddress | undefined;
  protected retransmitTimer: NodeJS.Timeout | undefined;
  protected lifeTimer: NodeJS.Timeout | undefined;
  #request: SipRequest | undefined;

  /** Creates the transaction for a request that matched none. */
  constructor(
    context: TransactionContext,
    key: string,
    request: SipRequest,
    source: RemoteAddress,
    initial: ServerState,
  ) {
    this.context = context;
    this.key = key;
    this.method = request.method;
    this.#request = request;
    this.source = source;
    this.state = initial;
  }

  /**
   * The request, for the TU while it answers; a non-INVITE transaction that has sent its final
   * response on UDP no longer keeps it (see {@link forgetRequest}).
   */
  get request(): SipRequest {
    if (!this.#request)
      throw new Error(`the ${this.method} transaction has answered and no longer keeps its request`);
    return this.#request;
  }

  /** True on UDP, where responses are retransmitted by the server (RFC 3261 §17.2.1). */
  get unreliable(): boolean {
    return this.source.transport === 'udp';
  }

  /** Where responses of this transaction go. */
  get responseTarget(): RemoteAddress | undefined {
    return this.target;
  }

  /** The last response as sent (the UAS core retransmits a 2xx itself, RFC 3261 §13.3.1.4). */
  get lastResponseData(): Buffer | undefined {
    return this.lastResponse;
  }

  /** A retransmission of the request (or, for INVITE, an ACK) matched this transaction. */
  abstract receive(request: SipRequest): void;

  /** Sends a response from the TU; ignored once a final response was sent. */
  abstract respond(response: SipResponse): void;

  /** Timer G (internal: called by {@link fireServerRetransmit}). */
  onRetransmitTimer(): void {}

  /** Timer H / I / J / L (internal: called by {@link fireServerLife}). */
  abstract onLifeTimer(): void;

  /** Serializes, remembers and sends a response. */
  protected sendResponse(response: SipResponse): void {
    this.target ??= this.context.transport.responseTarget(response, this.source);
    this.lastStatus = response.status;
    this.lastResponse = serializeMessage(response);
    this.resend();
  }

  /**
   * Lets the request go once only the serialized final response is needed (Timer J absorbs
   * retransmissions with it): a parsed request is ~5 KB, and a node ending 500 calls a second
   * would otherwise keep ~16,000 BYEs for 64·T1.
   */
  protected forgetRequest(): void {
    this.#request = undefined;
  }

  /** Sends the last response again. */
  protected resend(): void {
    if (!this.lastResponse || !this.target) return;
    // RFC 3261 §18.2.2 allows trying other destinations on failure; we rely on retransmissions.
    this.context.transport.send(this.lastResponse, this.target).catch(() => {});
  }

  /** Stops every timer and forgets the transaction. */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    clearTimeout(this.retransmitTimer);
    clearTimeout(this.lifeTimer);
    this.retransmitTimer = this.lifeTimer = undefined;
    this.context.remove(this.key, 'server');
  }
}

/** setTimeout callback of Timer G. */
export function fireServerRetransmit(transaction: ServerTransaction): void {
  transaction.onRetransmitTimer();
}

/** setTimeout callback of Timers H, I, J, L. */
export function fireServerLife(transaction: ServerTransaction): void {
  transaction.onLifeTimer();
}
