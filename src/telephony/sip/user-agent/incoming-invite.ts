import { DialogState } from '../dialog/dialog-state.ts';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.ts';
import type { Dialog, ExtraHeaders, IncomingInvite } from './api-types.ts';
import { IncomingRequestImpl, respondTo } from './incoming-request.ts';
import { ALLOW, headerPairs, sdpOf } from './message-body.ts';
import { SessionDialog, safely } from './session-dialog.ts';
import type { UaContext } from './ua-context.ts';

/**
 * The UAS side of an out-of-dialog INVITE (RFC 3261 §13.3): provisionals, 2xx creating the
 * dialog (retransmitted until ACKed, §13.3.1.4), rejection, and CANCEL (§9.2).
 */
export class IncomingInviteImpl extends IncomingRequestImpl implements IncomingInvite {
  readonly sdp: string | undefined;
  readonly #context: UaContext;
  readonly #cancelListeners: Array<() => void> = [];

  /** Wraps the INVITE's server transaction. */
  constructor(context: UaContext, transaction: InviteServerTransaction) {
    super(transaction, context.userAgent);
    this.#context = context;
    this.sdp = sdpOf(transaction.request);
  }

  /** Sends a provisional (default 180) with our To tag and Contact. */
  progress(status = 180, options: { sdp?: string } = {}): void {
    if (status <= 100 || status >= 200) throw new RangeError(`not a provisional status: ${status}`);
    respondTo(this.transaction, status, {
      toTag: this.toTag,
      contact: this.#context.contact(this.source.transport),
      userAgent: this.userAgent,
      ...(options.sdp !== undefined ? { body: options.sdp } : {}),
    });
  }

  /** Sends 200 and returns the UAS dialog; throws when already answered. */
  accept(options: { sdp?: string; headers?: ExtraHeaders } = {}): Dialog {
    if (this.answered) throw new Error(`INVITE already answered with ${this.transaction.lastStatus}`);
    const state = DialogState.fromUas(this.message, this.toTag);
    if (!state) throw new Error('INVITE lacks what a dialog needs (Call-ID, From tag, CSeq)');
    const dialog = new SessionDialog(this.#context, state, 'uas');
    dialog.addPeer(this.transaction.source);
    dialog.remoteSdp = this.sdp;
    this.#context.addDialog(dialog);
    dialog.sendOk(this.transaction, options.sdp, headerPairs(options.headers));
    return dialog;
  }

  /** Sends a final non-2xx (default 486). */
  reject(status = 486, reason?: string): void {
    if (status < 300) throw new RangeError(`not a rejection status: ${status}`);
    this.respond(status, reason, status === 405 ? { headers: [['Allow', ALLOW]] } : {});
  }

  /** Registers a listener for a CANCEL that arrived before the answer. */
  onCancel(listener: () => void): void {
    this.#cancelListeners.push(listener);
  }

  /** A CANCEL matched (§9.2): 487 when still unanswered, then the listeners. Returns false when too late. */
  cancelled(): boolean {
    if (this.answered) return false;
    this.respond(487);
    for (const listener of this.#cancelListeners) safely(listener);
    return true;
  }
}
