import type { DialogState } from '../dialog/dialog-state.ts';
import { serializeMessage } from '../message/serialize-message.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import { bodyParts } from './message-body.ts';
import { stampRequest, type UaContext } from './ua-context.ts';

/** Told when a deferred ACK was never sent by the caller. */
export interface AckSenderOwner {
  onDeferredAckTimeout(): void;
}

function fireTimeout(sender: AckSender): void {
  sender.timedOut();
}

/**
 * The UAC core's ACK of a 2xx to INVITE (RFC 3261 §13.2.2.4): sent outside any transaction
 * with a new branch and the INVITE's CSeq number, possibly deferred until the caller has the
 * SDP answer (bounded by `ackTimeoutMs`), and sent again for every retransmitted 2xx.
 */
export class AckSender {
  readonly #context: UaContext;
  readonly #owner: AckSenderOwner;
  #seq: number | undefined;
  #pending = false;
  #data: Buffer | undefined;
  #destination: RemoteAddress | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** Creates the sender of one dialog. */
  constructor(context: UaContext, owner: AckSenderOwner) {
    this.#context = context;
    this.#owner = owner;
  }

  /** True while a 2xx waits for its ACK. */
  get pending(): boolean {
    return this.#pending;
  }

  /** A 2xx to the INVITE numbered `seq` arrived: an ACK is owed; `deferred` arms the safety timer. */
  expect(seq: number, deferred: boolean): void {
    this.#seq = seq;
    this.#data = undefined;
    this.#pending = true;
    clearTimeout(this.#timer);
    this.#timer = deferred ? setTimeout(fireTimeout, this.#context.ackTimeoutMs, this) : undefined;
  }

  /**
   * Builds and sends the owed ACK along the dialog's route to `destination` (its next hop), with
   * `sdp` as body; false when none is owed.
   */
  send(state: DialogState, destination: RemoteAddress | undefined, sdp?: string): boolean {
    if (!this.#pending || this.#seq === undefined) return false;
    this.#pending = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!destination) return false;
    const body = bodyParts(sdp);
    const via = this.#context.via(destination.transport);
    const ack = state.buildRequest('ACK', { via, seq: this.#seq, headers: body.headers, body: body.body });
    this.#data = serializeMessage(stampRequest(this.#context, ack));
    this.#destination = destination;
    this.#context.transport.send(this.#data, destination).catch(() => {});
    return true;
  }

  /** A retransmitted 2xx for INVITE `seq`: the same ACK again (the transaction is gone). */
  resend(seq: number | undefined): void {
    if (seq !== this.#seq || !this.#data || !this.#destination) return;
    this.#context.transport.send(this.#data, this.#destination).catch(() => {});
  }

  /** The caller never ACKed (internal timer entry). */
  timedOut(): void {
    this.#timer = undefined;
    if (this.#pending) this.#owner.onDeferredAckTimeout();
  }

  /** Stops the safety timer (the dialog ended). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
