import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { ClientTransaction, ClientTransactionUser } from '../transaction/client-transaction.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import type { RequestResult, SipCredentials } from './api-types.ts';
import { authorizeRequest, isChallenge } from './auth-retry.ts';
import type { UaContext } from './ua-context.ts';

/**
 * Runs one non-INVITE request to its final response (RFC 3261 §8.1.3), answering one digest
 * challenge when credentials are given. Timeouts map to 408 and transport errors to 503
 * (§8.1.3.1); the result never rejects.
 */
export class NonInviteRequest implements ClientTransactionUser {
  readonly result: Promise<RequestResult>;
  readonly #context: UaContext;
  readonly #destination: RemoteAddress;
  readonly #credentials: SipCredentials | undefined;
  readonly #nextSeq: (() => number) | undefined;
  readonly #started = Date.now();
  #request: SipRequest;
  #retried = false;
  #resolve!: (result: RequestResult) => void;

  /** Sends `request` (its top Via already carries a fresh branch); `nextSeq` numbers a retry. */
  constructor(
    context: UaContext,
    request: SipRequest,
    destination: RemoteAddress,
    credentials?: SipCredentials,
    nextSeq?: () => number,
  ) {
    this.#context = context;
    this.#request = request;
    this.#destination = destination;
    this.#credentials = credentials;
    this.#nextSeq = nextSeq;
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#send();
  }

  #send(): void {
    try {
      this.#context.layer.sendRequest(this.#request, this.#destination, this);
    } catch (error) {
      this.#finish({ status: 503, reason: `Unsendable request: ${String(error)}`, transportError: true });
    }
  }

  #finish(result: Omit<RequestResult, 'rttMs'>): void {
    this.#resolve({ ...result, rttMs: Date.now() - this.#started });
  }

  /** Final responses settle the result; one 401/407 is answered first when possible. */
  onResponse(response: SipResponse, _transaction: ClientTransaction): void {
    if (response.status < 200) return;
    if (isChallenge(response.status) && this.#credentials && !this.#retried) {
      const retry = authorizeRequest(
        this.#request,
        response,
        this.#credentials,
        this.#context.via(this.#destination.transport),
        this.#nextSeq?.(),
      );
      if (retry) {
        this.#retried = true;
        this.#request = retry;
        this.#send();
        return;
      }
    }
    this.#finish({ status: response.status, reason: response.reason, response });
  }

  /** Timer F: 408 (RFC 3261 §8.1.3.1). */
  onTimeout(): void {
    this.#finish({ status: 408, reason: 'Request Timeout', timeout: true });
  }

  /** Transport failure: 503 (RFC 3261 §8.1.3.1). */
  onTransportError(_transaction: ClientTransaction, error: Error): void {
    this.#finish({ status: 503, reason: `Transport Error: ${error.message}`, transportError: true });
  }
}
