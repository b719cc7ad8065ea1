import { contactTarget, type DialogState } from '../dialog/dialog-state.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { getCSeq } from '../message/typed-headers.ts';
import type { ServerTransaction } from '../transaction/server-transaction.ts';
import { fromAnyPeer } from '../transport/peer-address.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import { AckSender, type AckSenderOwner } from './ack-sender.ts';
import type {
  Dialog,
  DialogEnd,
  IncomingRequest,
  ReinviteAnswer,
  ReinviteOptions,
  ReinviteResult,
  RequestBodyOptions,
  RequestResult,
  SipCredentials,
} from './api-types.ts';
import { HopMemo } from './hop-memo.ts';
import { IncomingRequestImpl, respondTo } from './incoming-request.ts';
import { ALLOW, bodyParts, headerPairs, sdpOf } from './message-body.ts';
import { NonInviteRequest } from './non-invite-request.ts';
import { OkRetransmitter, type OkRetransmitterOwner } from './ok-retransmitter.ts';
import { ReinviteRequest } from './reinvite-request.ts';
import { stampRequest, type UaContext } from './ua-context.ts';

/**
 * An INVITE dialog with its session behaviour (RFC 3261 §12–§15): ACK of 2xx outside the
 * transaction (§13.2.2.4) and its repetition for retransmitted 2xx, 2xx retransmission as UAS
 * (§13.3.1.4), re-INVITE both ways (§14), BYE both ways (§15), in-dialog OPTIONS/INFO.
 */
export class SessionDialog implements Dialog, OkRetransmitterOwner, AckSenderOwner {
  readonly role: 'uac' | 'uas';
  readonly dialogState: DialogState;
  remoteSdp: string | undefined;
  /** Last SDP we sent (offer or answer); the default answer to a remote re-INVITE. */
  localSdp: string | undefined;
  readonly #context: UaContext;
  readonly #credentials: SipCredentials | undefined;
  #state: 'early' | 'confirmed' | 'terminated' = 'confirmed';
  #ended: DialogEnd | undefined;
  readonly #endListeners: Array<(end: DialogEnd) => void> = [];
  readonly #ackListeners: Array<(sdp: string | undefined) => void> = [];
  readonly #requestListeners: Array<(request: IncomingRequest) => void> = [];
  #reinviteHandler: ((offer: string | undefined, request: IncomingRequest) => ReinviteAnswer) | undefined;
  /** UAC: the ACK of the last 2xx to our INVITE or re-INVITE. */
  readonly #acks: AckSender;
  /** UAS: the 2xx waiting for its ACK. */
  #ok: OkRetransmitter | undefined;
  /** Our own re-INVITE is in progress (a remote one then gets 491, §14.2). */
  inviteInProgress = false;
  #remoteInvitePending = false;
  /** Addresses the peer's messages came from or were sent to at the dialog's start (see {@link acceptsFrom}). */
  readonly #peers: RemoteAddress[] = [];
  readonly #hops: HopMemo; // where the remote target and the first route lead (see HopMemo)

  /** Wraps a dialog state; the UA registers it. */
  constructor(
    context: UaContext,
    state: DialogState,
    role: 'uac' | 'uas',
    credentials?: SipCredentials,
    early = false,
  ) {
    this.#context = context;
    if (early) this.#state = 'early';
    this.dialogState = state;
    this.role = role;
    this.#credentials = credentials;
    this.#acks = new AckSender(context, this);
    this.#hops = new HopMemo((uri) => context.nextHop(uri));
  }

  /** `callId;localTag;remoteTag`. */
  get id(): string {
    return this.dialogState.id;
  }
  /** Call-ID of the dialog. */
  get callId(): string {
    return this.dialogState.callId;
  }
  /** Our tag. */
  get localTag(): string {
    return this.dialogState.localTag;
  }
  /** The peer's tag. */
  get remoteTag(): string {
    return this.dialogState.remoteTag;
  }
  /** The peer's Contact URI (refreshed by re-INVITEs). */
  get remoteTarget(): string {
    return this.dialogState.remoteTarget;
  }
  /** early (UAC, from a 1xx with To tag), confirmed (2xx) or terminated. */
  get state(): 'early' | 'confirmed' | 'terminated' {
    return this.#state;
  }
  /** True while a 2xx waits for `ack()`. */
  get ackPending(): boolean {
    return this.#acks.pending;
  }

  /** Records an address the peer's messages came from (or the INVITE went to). */
  addPeer(address: RemoteAddress | undefined): void {
    if (address && !this.#peers.some((p) => p.host === address.host && p.port === address.port))
      this.#peers.push(address);
  }

  /**
   * True when an in-dialog request (or ACK) from `source` may act on this dialog: it comes from
   * where the dialog's first messages came from (UAS: the INVITE's source; UAC: the source of
   * the response that made the dialog, or the address the INVITE went to), from the remote
   * target (Contact) or from the first hop of the route set. The observed source is what
   * counts for a NAT'd phone: its Contact names a private address, but its NAT mapping is where
   * its INVITE came from and where its 200 was sent from, and its BYE uses the same mapping.
   */
  acceptsFrom(source: RemoteAddress): boolean {
    const candidates = [...this.#peers];
    for (const hop of [this.#hops.hop(this.dialogState.remoteTarget), this.#hops.nextHop(this.dialogState)])
      if (hop) candidates.push(hop);
    return fromAnyPeer(source, candidates);
  }

  /** Next hop and top Via for a new in-dialog request. */
  #route(): { destination: RemoteAddress; via: string } | undefined {
    const destination = this.#hops.nextHop(this.dialogState);
    return destination && { destination, via: this.#context.via(destination.transport) };
  }

  /**
   * A 2xx to our INVITE or re-INVITE (UAC): refreshes the remote target (§12.2.1.2), keeps
   * the remote SDP and ACKs at once unless the 2xx carries an offer and `deferAck` asks the
   * caller to answer it in `ack(sdp)`.
   */
  confirm(response: SipResponse, seq: number, deferAck: boolean, sentOffer: boolean): void {
    if (this.#state === 'terminated') return;
    if (this.#state === 'early') {
      this.dialogState.confirmFromUac(response);
      this.#state = 'confirmed';
    }
    const target = contactTarget(response.headers);
    if (target) this.dialogState.remoteTarget = target;
    const sdp = sdpOf(response);
    if (sdp !== undefined) this.remoteSdp = sdp;
    const deferred = deferAck && !sentOffer && sdp !== undefined;
    this.#acks.expect(seq, deferred);
    if (!deferred) this.ack();
  }

  /** Sends the pending ACK (§13.2.2.4): new branch, the INVITE's CSeq number, the answer SDP. */
  ack(sdp?: string): void {
    if (this.#acks.send(this.dialogState, this.#hops.nextHop(this.dialogState), sdp) && sdp !== undefined)
      this.localSdp = sdp;
  }

  /** The caller never sent its deferred ACK: ACK empty and end with BYE. */
  onDeferredAckTimeout(): void {
    this.ack();
    void this.bye();
  }

  /** A retransmitted 2xx (the transaction is gone): repeat its ACK (§13.2.2.4). */
  on2xxRetransmission(response: SipResponse): void {
    this.#acks.resend(getCSeq(response.headers)?.seq);
  }

  /** Sends a re-INVITE (RFC 3261 §14.1); rejects while another INVITE is in progress. */
  reinvite(options: ReinviteOptions = {}): Promise<ReinviteResult> {
    if (this.#state === 'terminated') return Promise.reject(new Error('dialog terminated'));
    if (this.inviteInProgress || this.#remoteInvitePending || this.#acks.pending || this.#ok) {
      return Promise.reject(new Error('an INVITE is already in progress on this dialog'));
    }
    const route = this.#route();
    if (!route) return Promise.reject(new Error(`no route to ${this.dialogState.remoteTarget}`));
    const body = bodyParts(options.sdp);
    const request = stampRequest(
      this.#context,
      this.dialogState.buildRequest('INVITE', {
        via: route.via,
        headers: [
          ['Contact', this.#context.contact(route.destination.transport)],
          ['Allow', ALLOW],
          ...headerPairs(options.headers),
          ...body.headers,
        ],
        body: body.body,
      }),
    );
    if (options.sdp !== undefined) this.localSdp = options.sdp;
    this.inviteInProgress = true;
    const runner = new ReinviteRequest(this.#context, this, request, route.destination, {
      deferAck: options.deferAck ?? false,
      sentOffer: options.sdp !== undefined,
      ...(this.#credentials ? { credentials: this.#credentials } : {}),
    });
    return runner.result;
  }

  /** Sends an in-dialog non-INVITE request; 481 at once when the dialog has ended. */
  request(method: string, options: RequestBodyOptions = {}): Promise<RequestResult> {
    const route = this.#route();
    if (this.#state === 'terminated' || !route) {
      return Promise.resolve({ status: 481, reason: 'Call/Transaction Does Not Exist', rttMs: 0 });
    }
    const body = bodyParts(options.body, options.contentType);
    const request = stampRequest(
      this.#context,
      this.dialogState.buildRequest(method, {
        via: route.via,
        headers: [...headerPairs(options.headers), ...body.headers],
        body: body.body,
      }),
    );
    return new NonInviteRequest(this.#context, request, route.destination, this.#credentials, () =>
      this.dialogState.nextSeq(),
    ).result;
  }

  /** Ends the dialog with BYE (§15.1.1), ACKing a pending 2xx first; idempotent. */
  async bye(): Promise<void> {
    if (this.#state === 'terminated') return;
    if (this.#acks.pending) this.ack();
    const route = this.#route();
    this.#terminate();
    if (!route) {
      this.#notifyEnded({ by: 'local' });
      return;
    }
    const request = stampRequest(this.#context, this.dialogState.buildRequest('BYE', { via: route.via }));
    const result = await new NonInviteRequest(
      this.#context,
      request,
      route.destination,
      this.#credentials,
      () => this.dialogState.nextSeq(),
    ).result;
    this.#notifyEnded({ by: 'local', status: result.status, reason: result.reason });
  }

  /** Registers an end listener (called at once, asynchronously, when already ended). */
  onEnded(listener: (end: DialogEnd) => void): void {
    if (this.#ended) queueMicrotask(() => listener(this.#ended!));
    else this.#endListeners.push(listener);
  }

  /** Sets the handler answering remote re-INVITEs. */
  onReinvite(handler: (offer: string | undefined, request: IncomingRequest) => ReinviteAnswer): void {
    this.#reinviteHandler = handler;
  }

  /** Registers a listener for the ACKs of our 2xx. */
  onAck(listener: (sdp: string | undefined) => void): void {
    this.#ackListeners.push(listener);
  }

  /** Registers a listener for other in-dialog requests (it must answer them). */
  onRequest(listener: (request: IncomingRequest) => void): void {
    this.#requestListeners.push(listener);
  }

  /** UAS: sends a 2xx to an INVITE through its transaction and retransmits it until ACKed. */
  sendOk(
    transaction: ServerTransaction,
    sdp: string | undefined,
    headers: Array<readonly [string, string]>,
  ): void {
    const seq = getCSeq(transaction.request.headers)?.seq ?? 0;
    const body = bodyParts(sdp);
    respondTo(transaction, 200, {
      toTag: this.localTag,
      contact: this.#context.contact(transaction.source.transport),
      userAgent: this.#context.userAgent,
      headers: [['Allow', ALLOW], ...headers],
      ...(sdp !== undefined ? { body: body.body } : {}),
    });
    if (sdp !== undefined) this.localSdp = sdp;
    const data = transaction.lastResponseData;
    const target = transaction.responseTarget;
    if (data && target) {
      this.#ok = new OkRetransmitter(this.#context.transport, data, target, this.#context.timers, seq, this);
    }
  }

  /** 64*T1 without ACK for our 2xx (§13.3.1.4): end the dialog with BYE. */
  onAckTimeout(): void {
    this.#ok = undefined;
    this.#remoteInvitePending = false;
    void this.bye();
  }

  /** The ACK of our 2xx (§13.3.1.4): stop retransmitting; its SDP answers an offerless INVITE. */
  receiveAck(ack: SipRequest): void {
    const seq = getCSeq(ack.headers)?.seq;
    if (!this.#ok || seq !== this.#ok.seq) return;
    this.#ok.stop();
    this.#ok = undefined;
    this.#remoteInvitePending = false;
    const sdp = sdpOf(ack);
    if (sdp !== undefined) this.remoteSdp = sdp;
    for (const listener of this.#ackListeners) safely(() => listener(sdp));
  }

  /** A request inside this dialog (§12.2.2). */
  receiveRequest(request: SipRequest, transaction: ServerTransaction): void {
    const ua = this.#context.userAgent;
    if (this.#state === 'terminated') {
      respondTo(transaction, 481, { userAgent: ua });
      return;
    }
    if (!this.dialogState.acceptRemoteSeq(request)) {
      respondTo(transaction, 500, { reason: 'CSeq Out of Order', userAgent: ua });
      return;
    }
    switch (request.method) {
      case 'BYE':
        respondTo(transaction, 200, { userAgent: ua });
        this.#terminate();
        this.#notifyEnded({ by: 'remote' });
        return;
      case 'INVITE':
        void this.#receiveReinvite(request, transaction);
        return;
      case 'OPTIONS':
        respondTo(transaction, 200, { userAgent: ua, headers: [['Allow', ALLOW]] });
        return;
    }
    const incoming = new IncomingRequestImpl(transaction, ua, this);
    if (this.#requestListeners.length > 0) {
      for (const listener of this.#requestListeners) safely(() => listener(incoming));
      return;
    }
    if (request.method === 'INFO') respondTo(transaction, 200, { userAgent: ua });
    else respondTo(transaction, 405, { userAgent: ua, headers: [['Allow', ALLOW]] });
  }

  /** A re-INVITE from the peer (§14.2): glare gets 491, an overlapping one 500 + Retry-After. */
  async #receiveReinvite(request: SipRequest, transaction: ServerTransaction): Promise<void> {
    const ua = this.#context.userAgent;
    if (this.inviteInProgress) {
      respondTo(transaction, 491, { userAgent: ua });
      return;
    }
    if (this.#remoteInvitePending || this.#ok) {
      const retryAfter = String(Math.floor(Math.random() * 10));
      respondTo(transaction, 500, { userAgent: ua, headers: [['Retry-After', retryAfter]] });
      return;
    }
    this.#remoteInvitePending = true;
    const target = contactTarget(request.headers);
    if (target) this.dialogState.remoteTarget = target;
    const offer = sdpOf(request);
    if (offer !== undefined) this.remoteSdp = offer;
    let answer: string | null | undefined = this.localSdp;
    if (this.#reinviteHandler) {
      try {
        answer = await this.#reinviteHandler(offer, new IncomingRequestImpl(transaction, ua, this));
      } catch {
        answer = null;
      }
    }
    if (this.#state === 'terminated') return;
    if (answer === null) {
      this.#remoteInvitePending = false;
      respondTo(transaction, 488, { userAgent: ua });
      return;
    }
    this.sendOk(transaction, answer, []);
  }

  /** Ends the dialog without signalling (ua.close, or the peer's 481). */
  end(end: DialogEnd): void {
    if (this.#state === 'terminated') return;
    this.#terminate();
    this.#notifyEnded(end);
  }

  #terminate(): void {
    this.#state = 'terminated';
    this.#acks.stop();
    this.#ok?.stop();
    this.#ok = undefined;
    this.#context.removeDialog(this);
  }

  #notifyEnded(end: DialogEnd): void {
    if (this.#ended) return;
    this.#ended = end;
    for (const listener of this.#endListeners.splice(0)) safely(() => listener(end));
  }
}

/** Runs an application callback; its exception must not break signalling. */
export function safely(run: () => void): void {
  try {
    run();
  } catch {
    // Listener failures are the application's; the dialog carries on.
  }
}
