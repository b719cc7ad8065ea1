import { createResponse } from '../message/create-response.ts';
import { newTag } from '../message/message-ids.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { ServerTransaction } from '../transaction/server-transaction.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import type { Dialog, IncomingRequest, RespondOptions } from './api-types.ts';
import { bodyParts, headerPairs } from './message-body.ts';

/** Options of {@link respondTo}. */
export interface ResponseExtras extends RespondOptions {
  reason?: string;
  /** To tag for a request that has none (ignored when the To already carries one). */
  toTag?: string;
  /** Contact to add (dialog-creating and target-refresh responses, RFC 3261 §12.1.1). */
  contact?: string;
  userAgent?: string;
}

/** Builds and sends a response through `transaction` (RFC 3261 §8.2.6). */
export function respondTo(transaction: ServerTransaction, status: number, extras: ResponseExtras = {}): void {
  // After a final response the transaction ignores any other (RFC 3261 §17.2), and a non-INVITE
  // one no longer keeps the request to build it from.
  if (transaction.lastStatus >= 200) return;
  const response = createResponse(transaction.request, status, {
    ...(extras.reason ? { reason: extras.reason } : {}),
    // §8.2.6.2: a To tag on every response but 100, unless the request had one.
    ...(status > 100 ? { toTag: extras.toTag ?? newTag() } : {}),
  });
  if (extras.contact) response.headers.append('Contact', extras.contact);
  if (extras.userAgent) response.headers.append('Server', extras.userAgent);
  for (const [name, value] of headerPairs(extras.headers)) response.headers.append(name, value);
  const body = bodyParts(extras.body, extras.contentType);
  for (const [name, value] of body.headers) response.headers.append(name, value);
  response.body = body.body;
  transaction.respond(response);
}

/** A received request handed to the application: answer with `respond`. */
export class IncomingRequestImpl implements IncomingRequest {
  readonly message: SipRequest;
  readonly source: RemoteAddress;
  readonly dialog?: Dialog;
  protected readonly transaction: ServerTransaction;
  /** To tag used for every response, so that 1xx and final agree. */
  protected readonly toTag = newTag();
  protected readonly userAgent: string;

  /** Wraps a server transaction. */
  constructor(transaction: ServerTransaction, userAgent: string, dialog?: Dialog) {
    this.transaction = transaction;
    this.message = transaction.request;
    this.source = transaction.source;
    this.userAgent = userAgent;
    if (dialog) this.dialog = dialog;
  }

  /** The request method. */
  get method(): string {
    return this.message.method;
  }

  /** True once a final response was sent. */
  get answered(): boolean {
    return this.transaction.lastStatus >= 200;
  }

  /** Sends a response (ignored after a final one). */
  respond(status: number, reason?: string, options: RespondOptions = {}): void {
    respondTo(this.transaction, status, {
      ...options,
      ...(reason ? { reason } : {}),
      toTag: this.toTag,
      userAgent: this.userAgent,
    });
  }
}
