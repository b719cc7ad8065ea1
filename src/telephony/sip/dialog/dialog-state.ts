import { MAX_CSEQ } from '../message/cseq.ts';
import { SipHeaders } from '../message/sip-headers.ts';
import { createRequest, type SipRequest, type SipResponse } from '../message/sip-message.ts';
import { serializeUri } from '../message/sip-uri.ts';
import { getCallId, getContacts, getCSeq, getFrom, getTo } from '../message/typed-headers.ts';
import { type RoutedRequest, routeRequest } from './dialog-route.ts';

/** The id of a dialog (RFC 3261 §12): Call-ID, local tag, remote tag. */
export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId};${localTag};${remoteTag}`;
}

/** The first Contact URI of a message, as the dialog's remote target (RFC 3261 §12.1). */
export function contactTarget(headers: SipHeaders): string | undefined {
  const contacts = getContacts(headers);
  return Array.isArray(contacts) && contacts[0] ? serializeUri(contacts[0].uri) : undefined;
}

/** What a caller adds to an in-dialog request. */
export interface InDialogRequestParts {
  /** The top Via value, with a fresh branch. */
  via: string;
  /** CSeq number; default the next local one. ACK and CANCEL reuse the INVITE's. */
  seq?: number;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Uint8Array | string;
}

/**
 * The state of a dialog (RFC 3261 §12.1): identifiers, the From/To values of each side, the
 * remote target, the route set and both CSeq counters. It builds in-dialog requests
 * (§12.2.1.1) and checks the CSeq of received ones (§12.2.2); it does no I/O.
 */
export class DialogState {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our From/To value in requests we send, tag included. */
  readonly localParty: string;
  /** The peer's From/To value, tag included. */
  readonly remoteParty: string;
  /** Route set in the order of our Route headers; fixed once confirmed (§12.2.1.2). */
  routeSet: readonly string[];
  remoteTarget: string;
  localSeq: number;
  /** Highest CSeq received from the peer; undefined until its first in-dialog request. */
  remoteSeq: number | undefined;
  /** route() of the current route set and remote target: every in-dialog message asks for it. */
  #routed: { routeSet: readonly string[]; remoteTarget: string; routed: RoutedRequest } | undefined;

  private constructor(
    fields: Omit<
      DialogState,
      'id' | 'route' | 'nextSeq' | 'buildRequest' | 'acceptRemoteSeq' | 'confirmFromUac'
    >,
  ) {
    this.callId = fields.callId;
    this.localTag = fields.localTag;
    this.remoteTag = fields.remoteTag;
    this.localParty = fields.localParty;
    this.remoteParty = fields.remoteParty;
    this.routeSet = fields.routeSet;
    this.remoteTarget = fields.remoteTarget;
    this.localSeq = fields.localSeq;
    this.remoteSeq = fields.remoteSeq;
  }

  /**
   * UAC side (RFC 3261 §12.1.2) from our INVITE and a 1xx/2xx carrying a To tag: route set =
   * Record-Route reversed, remote target = Contact. Undefined without a To tag.
   */
  static fromUac(request: SipRequest, response: SipResponse): DialogState | undefined {
    const callId = getCallId(request.headers);
    const localTag = getFrom(request.headers)?.params.get('tag');
    const remoteTag = getTo(response.headers)?.params.get('tag');
    // A 2xx without Contact breaks §12.1.2; the Request-URI is the best target left.
    const remoteTarget = contactTarget(response.headers) ?? request.uri;
    const seq = getCSeq(request.headers)?.seq;
    if (!callId || !localTag || !remoteTag || seq === undefined) return undefined;
    return new DialogState({
      callId,
      localTag,
      remoteTag,
      localParty: request.headers.get('from')!,
      remoteParty: response.headers.get('to')!,
      // list() returns the cached array: copy before reversing.
      routeSet: [...response.headers.list('record-route')].reverse(),
      remoteTarget,
      localSeq: seq,
      remoteSeq: undefined,
    });
  }

  /**
   * UAS side (RFC 3261 §12.1.1) from a received INVITE and the tag we put in To: route set =
   * Record-Route in order, remote target = Contact, remote CSeq = the INVITE's.
   */
  static fromUas(request: SipRequest, localTag: string): DialogState | undefined {
    const callId = getCallId(request.headers);
    const remoteTag = getFrom(request.headers)?.params.get('tag');
    // An INVITE without Contact breaks §8.1.1.8; fall back to the From URI.
    const from = getFrom(request.headers);
    const remoteTarget = contactTarget(request.headers) ?? (from ? serializeUri(from.uri) : undefined);
    const seq = getCSeq(request.headers)?.seq;
    const to = request.headers.get('to');
    if (!callId || !remoteTag || !remoteTarget || seq === undefined || to === undefined) return undefined;
    return new DialogState({
      callId,
      localTag,
      remoteTag,
      localParty: `${to};tag=${localTag}`,
      remoteParty: request.headers.get('from')!,
      routeSet: [...request.headers.list('record-route')],
      remoteTarget,
      // §12.1.1: the local sequence number starts empty; any value below 2**31 is fine.
      localSeq: Math.floor(Math.random() * 10000),
      remoteSeq: seq,
    });
  }

  /**
   * An early dialog confirmed by its 2xx (RFC 3261 §13.2.2.4): the route set is recomputed
   * from the 2xx's Record-Route (reversed) and the remote target from its Contact.
   */
  confirmFromUac(response: SipResponse): void {
    this.routeSet = [...response.headers.list('record-route')].reverse();
    this.remoteTarget = contactTarget(response.headers) ?? this.remoteTarget;
  }

  /** The dialog id `callId;localTag;remoteTag`. */
  get id(): string {
    return dialogId(this.callId, this.localTag, this.remoteTag);
  }

  /** Request-URI, Route and next hop for the next request (§12.2.1.1); shared, read-only. */
  route(): RoutedRequest {
    const memo = this.#routed;
    if (memo && memo.routeSet === this.routeSet && memo.remoteTarget === this.remoteTarget)
      return memo.routed;
    const routed = routeRequest(this.routeSet, this.remoteTarget);
    this.#routed = { routeSet: this.routeSet, remoteTarget: this.remoteTarget, routed };
    return routed;
  }

  /** Increments and returns the local CSeq (§12.2.1.1: one more per new request). */
  nextSeq(): number {
    this.localSeq = this.localSeq >= MAX_CSEQ ? 1 : this.localSeq + 1;
    return this.localSeq;
  }

  /** Builds an in-dialog request (§12.2.1.1): To/From/Call-ID of the dialog, routed per the set. */
  buildRequest(method: string, parts: InDialogRequestParts): SipRequest {
    const routed = this.route();
    const headers = new SipHeaders([['Via', parts.via]]);
    for (const route of routed.routes) headers.append('Route', route);
    headers.append('Max-Forwards', '70');
    headers.append('From', this.localParty);
    headers.append('To', this.remoteParty);
    headers.append('Call-ID', this.callId);
    headers.append('CSeq', `${parts.seq ?? this.nextSeq()} ${method}`);
    for (const [name, value] of parts.headers ?? []) headers.append(name, value);
    return createRequest(method, routed.uri, headers, parts.body);
  }

  /**
   * Checks a received in-dialog request's CSeq (§12.2.2): lower than the last one is out of
   * order (answer 500); otherwise it becomes the remote CSeq. ACK and CANCEL reuse their
   * INVITE's number and are not checked.
   */
  acceptRemoteSeq(request: SipRequest): boolean {
    const seq = getCSeq(request.headers)?.seq;
    if (seq === undefined) return false;
    if (request.method === 'ACK' || request.method === 'CANCEL') return true;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }
}
