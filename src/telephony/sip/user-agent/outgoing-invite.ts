import { DialogState } from '../dialog/dialog-state.ts';
import { quoteString } from '../message/sip-grammar.ts';
import { SipHeaders } from '../message/sip-headers.ts';
import { createRequest, type SipRequest, type SipResponse } from '../message/sip-message.ts';
import { getCSeq, getTo } from '../message/typed-headers.ts';
import type { ClientTransaction, ClientTransactionUser } from '../transaction/client-transaction.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import { AnsweredInvite } from './answered-invite.ts';
import type {
  Dialog,
  DialogEnd,
  FailureInfo,
  InviteResult,
  OutgoingInvite,
  ProvisionalInfo,
  SipCredentials,
} from './api-types.ts';
import { authorizeRequest, isChallenge } from './auth-retry.ts';
import { sdpOf } from './message-body.ts';
import { SessionDialog, safely } from './session-dialog.ts';
import type { UaContext } from './ua-context.ts';

/** A CANCEL's transaction user: its outcome changes nothing (the INVITE's final tells). */
const IGNORE: ClientTransactionUser = { onResponse() {}, onTimeout() {}, onTransportError() {} };

/** How the INVITE is run. */
export interface InviteRunOptions {
  credentials?: SipCredentials;
  deferAck: boolean;
}

/**
 * The UAC side of an INVITE outside a dialog (RFC 3261 §13.2): reports provisionals, answers
 * one digest challenge, turns the first 2xx into a dialog (ACKed at once or by the caller),
 * cancels per §9.1 and ends a 2xx that raced a CANCEL with ACK + BYE.
 */
export class OutgoingInviteImpl implements OutgoingInvite, ClientTransactionUser {
  readonly callId: string;
  readonly result: Promise<InviteResult>;
  readonly #context: UaContext;
  readonly #destination: RemoteAddress;
  readonly #options: InviteRunOptions;
  readonly #sentOffer: boolean;
  #request: SipRequest;
  #resolve!: (result: InviteResult) => void;
  #done = false;
  #retried = false;
  #provisional = false;
  #cancelRequested = false;
  #cancelReason: string | undefined;
  #cancelSent = false;
  /** The INVITE transaction, known from its first response (CANCEL only follows one). */
  #transaction: ClientTransaction | undefined;
  /** Early dialogs by remote tag (RFC 3261 §12.1.2), until the 2xx or a failure. */
  readonly #early = new Map<string, SessionDialog>();
  readonly #onProvisional: Array<(info: ProvisionalInfo) => void> = [];
  readonly #onAnswered: Array<(dialog: Dialog, sdp: string | undefined) => void> = [];
  readonly #onFailed: Array<(failure: FailureInfo) => void> = [];

  /** Sends `request` (a complete INVITE) to `destination`. */
  constructor(
    context: UaContext,
    request: SipRequest,
    destination: RemoteAddress,
    callId: string,
    options: InviteRunOptions,
  ) {
    this.#context = context;
    this.#request = request;
    this.#destination = destination;
    this.callId = callId;
    this.#options = options;
    this.#sentOffer = request.body.length > 0;
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#send();
  }

  /** Registers a listener (see OutgoingInvite). */
  on(event: 'provisional', listener: (info: ProvisionalInfo) => void): this;
  on(event: 'answered', listener: (dialog: Dialog, sdp: string | undefined) => void): this;
  on(event: 'failed', listener: (failure: FailureInfo) => void): this;
  on(event: 'provisional' | 'answered' | 'failed', listener: (...args: never[]) => void): this {
    if (event === 'provisional') this.#onProvisional.push(listener as (info: ProvisionalInfo) => void);
    else if (event === 'answered')
      this.#onAnswered.push(listener as (d: Dialog, s: string | undefined) => void);
    else this.#onFailed.push(listener as (failure: FailureInfo) => void);
    return this;
  }

  /** Cancels per §9.1 (CANCEL once a provisional arrived). */
  cancel(reason?: string): void {
    if (this.#done || this.#cancelRequested) return;
    this.#cancelRequested = true;
    this.#cancelReason = reason;
    // §9.1: no CANCEL before a provisional; it is sent when the first one arrives.
    if (this.#provisional) this.#sendCancel();
  }

  #send(): void {
    try {
      this.#context.layer.sendRequest(this.#request, this.#destination, this);
    } catch (error) {
      this.#fail({ status: 503, reason: `Unsendable request: ${String(error)}`, transportError: true });
    }
  }

  /** CANCEL (§9.1): the INVITE's Request-URI, Call-ID, From, To, CSeq number, top Via and Route. */
  #sendCancel(): void {
    if (this.#cancelSent) return;
    this.#cancelSent = true;
    // §9.1: no final within 64·T1 of the CANCEL ends the INVITE as timed out.
    this.#transaction?.giveUpWithoutFinal();
    const invite = this.#request.headers;
    const headers = new SipHeaders([['Via', invite.list('via')[0]!]]);
    for (const route of invite.getAll('route')) headers.append('Route', route);
    headers.append('Max-Forwards', '70');
    for (const name of ['From', 'To', 'Call-ID']) headers.append(name, invite.get(name)!);
    headers.append('CSeq', `${getCSeq(invite)?.seq ?? 1} CANCEL`);
    if (this.#cancelReason) {
      // RFC 3326 Reason header, so the callee can tell why.
      headers.append('Reason', `SIP;cause=487;text=${quoteString(this.#cancelReason)}`);
    }
    headers.append('User-Agent', this.#context.userAgent);
    try {
      this.#context.layer.sendRequest(
        createRequest('CANCEL', this.#request.uri, headers),
        this.#destination,
        IGNORE,
      );
    } catch {
      // Unsendable CANCEL: Timer B will end the INVITE.
    }
  }

  /** Transaction entry: every response passed up. */
  onResponse(response: SipResponse, transaction: ClientTransaction): void {
    const { status, reason } = response;
    if (this.#done) return;
    if (status < 200) {
      this.#provisional = true;
      this.#transaction = transaction;
      const sdp = sdpOf(response);
      const dialog = status > 100 ? this.#earlyDialog(response, transaction.responseSource) : undefined;
      const info: ProvisionalInfo = {
        status,
        reason,
        response,
        ...(sdp !== undefined ? { sdp } : {}),
        ...(dialog ? { dialog } : {}),
      };
      for (const listener of this.#onProvisional) safely(() => listener(info));
      if (this.#cancelRequested) this.#sendCancel();
      return;
    }
    if (status < 300) {
      this.#answered(response, transaction.responseSource);
      return;
    }
    if (isChallenge(status) && this.#options.credentials && !this.#retried && !this.#cancelRequested) {
      const retry = authorizeRequest(
        this.#request,
        response,
        this.#options.credentials,
        this.#context.via(this.#destination.transport),
      );
      if (retry) {
        this.#retried = true;
        this.#endEarly({ by: 'remote', status, reason });
        this.#request = retry;
        this.#provisional = false;
        this.#send();
        return;
      }
    }
    this.#fail({ status, reason, response, ...(this.#cancelSent ? { cancelled: true } : {}) });
  }

  /** The early dialog of a 1xx with a To tag, made on its first provisional. */
  #earlyDialog(response: SipResponse, source: RemoteAddress | undefined): SessionDialog | undefined {
    const tag = getTo(response.headers)?.params.get('tag');
    if (!tag) return undefined;
    const known = this.#early.get(tag);
    if (known) return known;
    const state = DialogState.fromUac(this.#request, response);
    if (!state) return undefined;
    const dialog = new SessionDialog(this.#context, state, 'uac', this.#options.credentials, true);
    dialog.addPeer(this.#destination);
    dialog.addPeer(source);
    if (this.#sentOffer) dialog.localSdp = Buffer.from(this.#request.body).toString('utf8');
    this.#context.addDialog(dialog);
    this.#early.set(tag, dialog);
    return dialog;
  }

  /** Ends the early dialogs that did not become the call (§13.2.2.4 / a failure). */
  #endEarly(end: DialogEnd): void {
    for (const dialog of this.#early.values()) dialog.end(end);
    this.#early.clear();
  }

  #answered(response: SipResponse, source: RemoteAddress | undefined): void {
    const tag = getTo(response.headers)?.params.get('tag') ?? '';
    const early = this.#early.get(tag);
    this.#early.delete(tag);
    this.#endEarly({ by: 'remote' });
    let dialog = early?.state === 'early' ? early : undefined;
    if (!dialog) {
      const state = DialogState.fromUac(this.#request, response);
      if (!state) {
        this.#fail({ status: 502, reason: 'Bad Gateway (2xx without To tag)', response });
        return;
      }
      dialog = new SessionDialog(this.#context, state, 'uac', this.#options.credentials);
      if (this.#sentOffer) dialog.localSdp = Buffer.from(this.#request.body).toString('utf8');
      this.#context.addDialog(dialog);
    }
    dialog.addPeer(this.#destination);
    dialog.addPeer(source);
    const seq = getCSeq(response.headers)?.seq ?? 1;
    if (this.#cancelRequested) {
      // §9.1 / §15: the 2xx won the race with our CANCEL: ACK it, then hang up.
      dialog.confirm(response, seq, false, this.#sentOffer);
      void dialog.bye();
      this.#fail({ status: 487, reason: 'Request Terminated', cancelled: true, response });
      return;
    }
    dialog.confirm(response, seq, this.#options.deferAck, this.#sentOffer);
    this.#done = true;
    this.#context.rememberAnswered(
      this.callId,
      new AnsweredInvite(
        this.#context,
        this.#request,
        this.#destination,
        this.#sentOffer,
        this.#options.credentials,
      ),
    );
    const sdp = sdpOf(response);
    for (const listener of this.#onAnswered) safely(() => listener(dialog, sdp));
    this.#resolve({ kind: 'answered', dialog, response, ...(sdp !== undefined ? { sdp } : {}) });
  }

  /** Timer B: 408 (§8.1.3.1). */
  onTimeout(): void {
    this.#fail({ status: 408, reason: 'Request Timeout', timeout: true });
  }

  /** Transport failure: 503 (§8.1.3.1). */
  onTransportError(_transaction: ClientTransaction, error: Error): void {
    this.#fail({ status: 503, reason: `Transport Error: ${error.message}`, transportError: true });
  }

  #fail(failure: FailureInfo): void {
    if (this.#done) return;
    this.#done = true;
    this.#endEarly({
      by: failure.cancelled ? 'local' : 'remote',
      status: failure.status,
      reason: failure.reason,
    });
    for (const listener of this.#onFailed) safely(() => listener(failure));
    this.#resolve({ kind: 'failed', ...failure });
  }
}
