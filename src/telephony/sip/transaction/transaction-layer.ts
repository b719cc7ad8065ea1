import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { getCSeq, getTopVia } from '../message/typed-headers.ts';
import { cameFrom, isIpHost } from '../transport/peer-address.ts';
import type { SipTransport } from '../transport/sip-transport.ts';
import type { InboundMessage, RemoteAddress } from '../transport/transport-types.ts';
import type { ClientTransaction, ClientTransactionUser } from './client-transaction.ts';
import { InviteClientTransaction } from './invite-client-transaction.ts';
import { InviteServerTransaction } from './invite-server-transaction.ts';
import { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import type { ServerTransaction } from './server-transaction.ts';
import type { TransactionContext } from './transaction-context.ts';
import { clientKey, serverKey } from './transaction-key.ts';
import type { TimerBases, TransactionEvent, TransactionObserver } from './transaction-timers.ts';

/** The core above the transaction layer (RFC 3261 §17: the transaction user of new requests). */
export interface TransactionCore {
  /** A request that created a server transaction (any method but ACK). */
  onRequest(request: SipRequest, transaction: ServerTransaction): void;
  /** An ACK that matched no server transaction: the ACK of a 2xx (RFC 3261 §17.2.3, §13.3.1.4). */
  onAck(request: SipRequest, source: RemoteAddress): void;
  /** A response that matched no client transaction: typically a retransmitted 2xx to INVITE. */
  onStrayResponse(response: SipResponse, source: RemoteAddress): void;
  /**
   * False when a request that would start a server transaction or is an ACK of a 2xx must be
   * dropped unanswered because of where it came from (an in-dialog request from an address that
   * is not the dialog's peer). Absent: every request is admitted.
   */
  admits?(request: SipRequest, source: RemoteAddress): boolean;
}

/**
 * The transaction layer (RFC 3261 §17): creates client transactions for requests the core
 * sends, matches responses to them (§17.1.3) and requests to server transactions (§17.2.3),
 * and passes everything else to the core. Transactions live in two Maps keyed by branch.
 */
export class TransactionLayer implements TransactionContext {
  readonly transport: SipTransport;
  readonly timers: TimerBases;
  readonly #core: TransactionCore;
  readonly #observer: TransactionObserver | undefined;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();

  /** Creates the layer; feed it with {@link receive}. */
  constructor(
    transport: SipTransport,
    timers: TimerBases,
    core: TransactionCore,
    observer?: TransactionObserver,
  ) {
    this.transport = transport;
    this.timers = timers;
    this.#core = core;
    this.#observer = observer;
  }

  /** Live transactions. */
  get size(): number {
    return this.#clients.size + this.#servers.size;
  }

  /** Reports to the observer; its failures are ignored. */
  emit(event: TransactionEvent): void {
    if (!this.#observer) return;
    try {
      this.#observer(event);
    } catch {
      // Metrics must never break signalling.
    }
  }

  /** Forgets a terminated transaction. */
  remove(key: string, role: 'client' | 'server'): void {
    (role === 'client' ? this.#clients : this.#servers).delete(key);
  }

  /**
   * Starts a client transaction for `request`, whose top Via carries a fresh branch. Throws
   * RangeError when the request has no branch or cannot be serialized; ACK is not a
   * transaction (send it with the transport).
   */
  sendRequest(
    request: SipRequest,
    destination: RemoteAddress,
    user: ClientTransactionUser,
  ): ClientTransaction {
    const branch = getTopVia(request.headers)?.params.get('branch');
    if (!branch) throw new RangeError('request without a Via branch');
    if (request.method === 'ACK') throw new RangeError('ACK is sent outside transactions');
    const key = clientKey(branch, request.method);
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this, key, request, destination, user)
        : new NonInviteClientTransaction(this, key, request, destination, user);
    this.#clients.set(key, transaction);
    this.emit({ kind: 'created', role: 'client', method: request.method });
    transaction.start();
    return transaction;
  }

  /** The INVITE server transaction a CANCEL refers to (RFC 3261 §9.2). */
  inviteServerFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = serverKey({ ...cancel, method: 'INVITE' });
    const transaction = key === undefined ? undefined : this.#servers.get(key);
    return transaction instanceof InviteServerTransaction ? transaction : undefined;
  }

  /** Entry point of the transport: matches and dispatches one message. */
  receive({ message, source }: InboundMessage): void {
    if (message.kind === 'response') {
      const branch = getTopVia(message.headers)?.params.get('branch');
      const method = getCSeq(message.headers)?.method;
      const transaction = branch && method ? this.#clients.get(clientKey(branch, method)) : undefined;
      if (!transaction) {
        this.#core.onStrayResponse(message, source);
        return;
      }
      // A response must come from where we sent the request: anyone who saw the branch could
      // otherwise end our call with a forged 486. A hostname destination cannot be compared
      // without DNS and is not checked.
      const destination = transaction.destination;
      if (isIpHost(destination.host) && !cameFrom(source, destination)) {
        this.transport.reportDropped(
          'spoofed_source',
          `${message.status} to ${method} from ${source.host}:${source.port}, sent to ${destination.host}:${destination.port}`,
          source,
        );
        return;
      }
      transaction.responseSource = source;
      transaction.receive(message);
      return;
    }
    const key = serverKey(message);
    if (key === undefined) return;
    const existing = this.#servers.get(key);
    if (existing) {
      // Some UAs reuse the INVITE branch in the ACK of a 2xx: that ACK is the core's.
      if (message.method === 'ACK' && existing.state === 'accepted') {
        if (this.#admits(message, source)) this.#core.onAck(message, source);
      } else existing.receive(message);
      return;
    }
    if (!this.#admits(message, source)) return;
    if (message.method === 'ACK') {
      this.#core.onAck(message, source);
      return;
    }
    const transaction =
      message.method === 'INVITE'
        ? new InviteServerTransaction(this, key, message, source)
        : new NonInviteServerTransaction(this, key, message, source);
    this.#servers.set(key, transaction);
    this.emit({ kind: 'created', role: 'server', method: message.method });
    this.#core.onRequest(message, transaction);
  }

  /** Asks the core whether `request` from `source` may go on; a refusal is dropped and counted. */
  #admits(request: SipRequest, source: RemoteAddress): boolean {
    if (this.#core.admits?.(request, source) !== false) return true;
    this.transport.reportDropped(
      'spoofed_source',
      `${request.method} from ${source.host}:${source.port}, not the dialog's peer`,
      source,
    );
    return false;
  }

  /**
   * Terminates every transaction (timers cleared), e.g. at shutdown; pending client
   * transactions report a transport error so that no caller waits forever.
   */
  close(): void {
    const closed = new Error('transaction layer closed');
    for (const transaction of [...this.#clients.values()]) transaction.abort(closed);
    for (const transaction of [...this.#servers.values()]) transaction.terminate();
  }
}
