import { networkInterfaces } from 'node:os';
import { dialogId } from '../dialog/dialog-state.ts';
import { newBranch } from '../message/message-ids.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { getCallId, getCSeq, getFrom, getTo } from '../message/typed-headers.ts';
import { InviteServerTransaction } from '../transaction/invite-server-transaction.ts';
import type { ServerTransaction } from '../transaction/server-transaction.ts';
import { type TransactionCore, TransactionLayer } from '../transaction/transaction-layer.ts';
import { resolveTimers, type TimerBases } from '../transaction/transaction-timers.ts';
import { fromAnyPeer } from '../transport/peer-address.ts';
import { SipTransport } from '../transport/sip-transport.ts';
import { type RemoteAddress, type SipTransportName, uriHost } from '../transport/transport-types.ts';
import type {
  InviteOptions,
  OutgoingInvite,
  OutOfDialogRequestOptions,
  RequestResult,
  UserAgentAddress,
  UserAgentOptions,
  UserAgentStats,
} from './api-types.ts';
import { IncomingInviteImpl } from './incoming-invite.ts';
import { IncomingRequestImpl, respondTo } from './incoming-request.ts';
import { ALLOW } from './message-body.ts';
import { nextHop } from './next-hop.ts';
import { NonInviteRequest } from './non-invite-request.ts';
import { OutgoingInviteImpl } from './outgoing-invite.ts';
import { buildOutOfDialogRequest } from './request-factory.ts';
import type { SessionDialog } from './session-dialog.ts';
import type { ForkHandler, UaContext } from './ua-context.ts';

/** A host others can reach when bound to a wildcard: the first external IPv4, else loopback. */
function reachableHost(listen: string): string {
  if (listen !== '0.0.0.0' && listen !== '::') return listen;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * A SIP user agent (RFC 3261 §8): owns the transports, the transaction layer and the dialogs,
 * and routes what arrives: in-dialog requests to their dialog (else 481), CANCEL to its INVITE,
 * new INVITEs to `onInvite`, other requests to `onRequest`. Create with `SipUserAgent.start`.
 */
export class SipUserAgent implements UaContext, TransactionCore {
  readonly layer: TransactionLayer;
  readonly transport: SipTransport;
  readonly timers: TimerBases;
  readonly userAgent: string;
  readonly ackTimeoutMs: number;
  readonly #options: UserAgentOptions;
  readonly #host: string;
  readonly #open: SipTransportName[];
  readonly #dialogs = new Map<string, SessionDialog>();
  readonly #invites = new WeakMap<ServerTransaction, IncomingInviteImpl>();
  /** Answered INVITEs by Call-ID, oldest first, kept 64*T1 for forked 2xx (no timer: swept on use). */
  readonly #answered = new Map<string, { handler: ForkHandler; expires: number }>();
  #closed = false;

  private constructor(options: UserAgentOptions, transport: SipTransport, listenHost: string) {
    this.#options = options;
    this.transport = transport;
    this.timers = resolveTimers(options.timers);
    this.userAgent = options.userAgent ?? 'pconn';
    this.ackTimeoutMs = options.ackTimeoutMs ?? 64 * this.timers.t1;
    this.#host = uriHost(options.contactHost ?? reachableHost(listenHost));
    this.#open = (['udp', 'tcp', 'tls'] as const).filter((t) => transport.supports(t));
    this.layer = new TransactionLayer(transport, this.timers, this, options.onTransactionEvent);
  }

  /** Binds the transports (default both, `0.0.0.0:5060`) and resolves once they listen. */
  static async start(options: UserAgentOptions = {}): Promise<SipUserAgent> {
    const host = options.listen?.host ?? '0.0.0.0';
    resolveTimers(options.timers);
    let ua: SipUserAgent | undefined;
    const transport = await SipTransport.open({
      host,
      port: options.listen?.port ?? 5060,
      transports: options.transports ?? ['udp', 'tcp'],
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.listen?.tlsPort !== undefined ? { tlsPort: options.listen.tlsPort } : {}),
      onMessage: (inbound) => ua?.layer.receive(inbound),
      ...(options.onDroppedMessage ? { onDropped: options.onDroppedMessage } : {}),
      ...(options.tcpKeepAliveMs ? { tcpKeepAliveMs: options.tcpKeepAliveMs } : {}),
      ...(options.requestRateLimit ? { requestRateLimit: options.requestRateLimit } : {}),
    });
    ua = new SipUserAgent(options, transport, host);
    return ua;
  }

  /** Bound host and ports (port 0 at start → the OS-chosen ports). */
  get address(): UserAgentAddress {
    const udpPort = this.transport.udpPort;
    const tcpPort = this.transport.tcpPort;
    const tlsPort = this.transport.tlsPort;
    return {
      host: this.#host,
      port: udpPort ?? tcpPort ?? tlsPort ?? 0,
      ...(udpPort !== undefined ? { udpPort } : {}),
      ...(tcpPort !== undefined ? { tcpPort } : {}),
      ...(tlsPort !== undefined ? { tlsPort } : {}),
    };
  }

  /** Live counters. */
  get stats(): UserAgentStats {
    return { dropped: this.transport.dropped, transactions: this.layer.size, dialogs: this.#dialogs.size };
  }

  /** Sends an INVITE outside any dialog (RFC 3261 §13.2.1); throws TypeError on a bad target. */
  invite(options: InviteOptions): OutgoingInvite {
    if (this.#closed) throw new Error('user agent closed');
    const built = buildOutOfDialogRequest(this, {
      ...options,
      method: 'INVITE',
      ...(options.sdp !== undefined ? { body: options.sdp } : {}),
    });
    return new OutgoingInviteImpl(this, built.request, built.destination, built.callId, {
      deferAck: options.deferAck ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  /**
   * Sends an out-of-dialog non-INVITE request (OPTIONS keep-alive, MESSAGE…) and resolves with
   * its final response or timeout; rejects only on a bad target (TypeError).
   */
  request(options: OutOfDialogRequestOptions): Promise<RequestResult> {
    if (options.method === 'INVITE' || options.method === 'ACK' || options.method === 'CANCEL') {
      return Promise.reject(new TypeError(`use invite()/cancel() for ${options.method}`));
    }
    try {
      if (this.#closed) throw new Error('user agent closed');
      const built = buildOutOfDialogRequest(this, options);
      return new NonInviteRequest(this, built.request, built.destination, options.credentials).result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Ends every transaction and dialog (listeners see `by: 'local'`, no BYE) and closes the sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#answered.clear();
    for (const dialog of [...this.#dialogs.values()])
      dialog.end({ by: 'local', reason: 'user agent closed' });
    this.layer.close();
    await this.transport.close();
  }

  // UaContext

  /** A top Via for a new request over `transport`: our sent-by, a fresh branch and `;rport` (RFC 3581). */
  via(transport: SipTransportName): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.#host}:${this.#port(transport)};branch=${newBranch()};rport`;
  }

  /**
   * Our Contact value for `transport`, e.g. for a REGISTER sent with `request` (RFC 3261
   * §10.2.1). Over TLS a sips: URI: RFC 5630 §3.1.3 deprecates `transport=tls`, and sips: asks
   * peers to reach us over TLS again.
   */
  contact(transport: SipTransportName): string {
    const user = this.#options.contactUser ? `${this.#options.contactUser}@` : '';
    const hostPort = `${user}${this.#host}:${this.#port(transport)}`;
    if (transport === 'tls') return `<sips:${hostPort}>`;
    return `<sip:${hostPort}${transport === 'tcp' ? ';transport=tcp' : ''}>`;
  }

  #port(transport: SipTransportName): number | undefined {
    if (transport === 'tls') return this.transport.tlsPort;
    return transport === 'udp' ? this.transport.udpPort : this.transport.tcpPort;
  }

  /** Where a request for `uri` would be sent (RFC 3261 §8.1.2). */
  nextHop(uri: string): RemoteAddress | undefined {
    return nextHop(uri, this.#open);
  }

  /** Default From value (no tag): `<sip:pconn@host>` or the contactUser. */
  defaultFrom(): string {
    return `<sip:${this.#options.contactUser ?? 'pconn'}@${this.#host}>`;
  }

  /** Registers a dialog (internal). */
  addDialog(dialog: SessionDialog): void {
    this.#dialogs.set(dialog.id, dialog);
  }

  /** Forgets a dialog (internal). */
  removeDialog(dialog: SessionDialog): void {
    if (this.#dialogs.get(dialog.id) === dialog) this.#dialogs.delete(dialog.id);
  }

  /** Keeps an answered INVITE for forked 2xx (internal). */
  rememberAnswered(callId: string, handler: ForkHandler): void {
    const now = Date.now();
    for (const [id, entry] of this.#answered) {
      if (entry.expires > now) break;
      this.#answered.delete(id);
    }
    this.#answered.set(callId, { handler, expires: now + 64 * this.timers.t1 });
  }

  // TransactionCore

  /** Routes a new request (transaction layer entry, internal). */
  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    const ua = this.userAgent;
    if (request.method === 'CANCEL') {
      this.#cancel(transaction);
      return;
    }
    // RFC 3261 §8.2.2.3: we support no extension, so any Require is refused.
    const required = request.headers.list('require');
    if (required.length > 0) {
      respondTo(transaction, 420, { userAgent: ua, headers: [['Unsupported', required.join(', ')]] });
      return;
    }
    const toTag = getTo(request.headers)?.params.get('tag');
    if (toTag) {
      const id = dialogId(
        getCallId(request.headers) ?? '',
        toTag,
        getFrom(request.headers)?.params.get('tag') ?? '',
      );
      const dialog = this.#dialogs.get(id);
      if (dialog) dialog.receiveRequest(request, transaction);
      else respondTo(transaction, 481, { userAgent: ua }); // §12.2.2
      return;
    }
    if (request.method === 'INVITE' && transaction instanceof InviteServerTransaction) {
      const invite = new IncomingInviteImpl(this, transaction);
      this.#invites.set(transaction, invite);
      if (this.#options.onInvite) this.#deliver(invite, this.#options.onInvite);
      else invite.reject(603);
      return;
    }
    if (request.method === 'BYE') {
      respondTo(transaction, 481, { userAgent: ua });
      return;
    }
    const incoming = new IncomingRequestImpl(transaction, ua);
    if (this.#options.onRequest) {
      this.#deliver(incoming, this.#options.onRequest);
      return;
    }
    if (request.method === 'OPTIONS') incoming.respond(200, undefined, { headers: [['Allow', ALLOW]] });
    else incoming.respond(405, undefined, { headers: [['Allow', ALLOW]] });
  }

  /** Hands a request to the application; if its handler throws before answering, 500 (§21.5.1). */
  #deliver<T extends IncomingRequestImpl>(request: T, handler: (request: T) => void): void {
    try {
      handler(request);
    } catch {
      if (!request.answered) request.respond(500);
    }
  }

  /** RFC 3261 §9.2: 200 to the CANCEL and 487 to its INVITE when still unanswered, else 481. */
  #cancel(transaction: ServerTransaction): void {
    const invite = this.layer.inviteServerFor(transaction.request);
    if (!invite) {
      respondTo(transaction, 481, { userAgent: this.userAgent });
      return;
    }
    respondTo(transaction, 200, {
      userAgent: this.userAgent,
      toTag: getTo(invite.request.headers)?.params.get('tag') ?? undefined,
    });
    // A re-INVITE (no IncomingInvite) is answered by its handler anyway; CANCEL changes nothing.
    this.#invites.get(invite)?.cancelled();
  }

  /** Delivers the ACK of a 2xx to its dialog (transaction layer entry, internal). */
  onAck(request: SipRequest): void {
    const toTag = getTo(request.headers)?.params.get('tag');
    const fromTag = getFrom(request.headers)?.params.get('tag');
    if (!toTag || !fromTag) return;
    this.#dialogs.get(dialogId(getCallId(request.headers) ?? '', toTag, fromTag))?.receiveAck(request);
  }

  /**
   * Admits an in-dialog request or ACK only from its dialog's peer, and a CANCEL only from
   * where its INVITE came from (transaction layer entry, internal); see SessionDialog.acceptsFrom.
   */
  admits(request: SipRequest, source: RemoteAddress): boolean {
    if (request.method === 'CANCEL') {
      const invite = this.layer.inviteServerFor(request);
      return !invite || fromAnyPeer(source, [invite.source]);
    }
    const toTag = getTo(request.headers)?.params.get('tag');
    if (!toTag) return true;
    const id = dialogId(
      getCallId(request.headers) ?? '',
      toTag,
      getFrom(request.headers)?.params.get('tag') ?? '',
    );
    return this.#dialogs.get(id)?.acceptsFrom(source) ?? true;
  }

  /** Handles a response without transaction (transaction layer entry, internal). */
  onStrayResponse(response: SipResponse, source: RemoteAddress): void {
    // §13.2.2.4: a retransmitted 2xx to INVITE gets the same ACK again.
    if (response.status < 200 || response.status >= 300 || getCSeq(response.headers)?.method !== 'INVITE')
      return;
    const fromTag = getFrom(response.headers)?.params.get('tag');
    const toTag = getTo(response.headers)?.params.get('tag');
    if (!fromTag || !toTag) return;
    const callId = getCallId(response.headers) ?? '';
    const dialog = this.#dialogs.get(dialogId(callId, fromTag, toTag));
    if (dialog) {
      if (dialog.acceptsFrom(source)) dialog.on2xxRetransmission(response);
      else this.transport.reportDropped('spoofed_source', `2xx retransmission from ${source.host}`, source);
      return;
    }
    // §13.2.2.4: a 2xx from another fork gets its own ACK, then BYE.
    const answered = this.#answered.get(callId);
    if (answered && answered.expires > Date.now()) answered.handler.onForked2xx(response, source);
  }
}
