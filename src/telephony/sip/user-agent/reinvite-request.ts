import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { getCSeq } from '../message/typed-headers.ts';
import type { ClientTransaction, ClientTransactionUser } from '../transaction/client-transaction.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import type { ReinviteResult, SipCredentials } from './api-types.ts';
import { authorizeRequest, isChallenge } from './auth-retry.ts';
import { sdpOf } from './message-body.ts';
import type { SessionDialog } from './session-dialog.ts';
import type { UaContext } from './ua-context.ts';

/** How a re-INVITE is run. */
export interface ReinviteRunOptions {
  deferAck: boolean;
  sentOffer: boolean;
  credentials?: SipCredentials;
}

/**
 * One re-INVITE (RFC 3261 §14.1) to its final response. A 2xx is ACKed through the dialog; a
 * 481 or a timeout ends the dialog (§12.2.1.2, §14.1: BYE after a timeout); other failures
 * leave the session as it was. One digest challenge is answered when credentials exist.
 */
export class ReinviteRequest implements ClientTransactionUser {
  readonly result: Promise<ReinviteResult>;
  readonly #context: UaContext;
  readonly #dialog: SessionDialog;
  readonly #destination: RemoteAddress;
  readonly #options: ReinviteRunOptions;
  #request: SipRequest;
  #retried = false;
  #resolve!: (result: ReinviteResult) => void;

  /** Sends the re-INVITE. */
  constructor(
    context: UaContext,
    dialog: SessionDialog,
    request: SipRequest,
    destination: RemoteAddress,
    options: ReinviteRunOptions,
  ) {
    this.#context = context;
    this.#dialog = dialog;
    this.#request = request;
    this.#destination = destination;
    this.#options = options;
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#send();
  }

  #send(): void {
    try {
      this.#context.layer.sendRequest(this.#request, this.#destination, this);
    } catch (error) {
      this.#finish({ status: 503, reason: `Unsendable request: ${String(error)}` });
    }
  }

  #finish(result: ReinviteResult): void {
    this.#dialog.inviteInProgress = false;
    this.#resolve(result);
  }

  /**
   * Provisional responses only bound the wait: a re-INVITE has no ring time, so a final is still
   * expected within 64·T1 (else the peer is treated as gone). Finals settle the result.
   */
  onResponse(response: SipResponse, transaction: ClientTransaction): void {
    const { status, reason } = response;
    if (status < 200) {
      transaction.giveUpWithoutFinal();
      return;
    }
    if (status < 300) {
      const seq = getCSeq(response.headers)?.seq ?? 0;
      this.#dialog.confirm(response, seq, this.#options.deferAck, this.#options.sentOffer);
      const sdp = sdpOf(response);
      this.#finish({ status, reason, response, ...(sdp !== undefined ? { sdp } : {}) });
      return;
    }
    if (isChallenge(status) && this.#options.credentials && !this.#retried) {
      const via = this.#context.via(this.#destination.transport);
      const retry = authorizeRequest(
        this.#request,
        response,
        this.#options.credentials,
        via,
        this.#dialog.dialogState.nextSeq(),
      );
      if (retry) {
        this.#retried = true;
        this.#request = retry;
        this.#send();
        return;
      }
    }
    this.#finish({ status, reason, response });
    if (status === 481) this.#dialog.end({ by: 'remote', status, reason });
  }

  /** Timer B: the peer is gone; end the dialog with BYE (§14.1). */
  onTimeout(): void {
    this.#finish({ status: 408, reason: 'Request Timeout', timeout: true });
    void this.#dialog.bye();
  }

  /** Transport failure: 503 (§8.1.3.1); the dialog is kept. */
  onTransportError(_transaction: ClientTransaction, error: Error): void {
    this.#finish({ status: 503, reason: `Transport Error: ${error.message}` });
  }
}
