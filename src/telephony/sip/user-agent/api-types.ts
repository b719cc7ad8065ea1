import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { TransactionEvent } from '../transaction/transaction-timers.ts';
import type { SourceRateLimitOptions } from '../transport/source-rate-limit.ts';
import type {
  DroppedMessage,
  RemoteAddress,
  SipTlsOptions,
  SipTransportName,
} from '../transport/transport-types.ts';

/** Transport and transaction types the user-agent API exposes, re-exported from their layers. */
export type { DroppedMessage, RemoteAddress, SipTlsOptions, SipTransportName, TransactionEvent };

/*
 * Public types of the SIP user-agent core. Everything a caller of `SipUserAgent` sees is
 * declared here so that the API stays stable while the layers behind it evolve.
 */

/** RFC 3261 §17.1.1.1 timer bases in milliseconds; every other timer derives from these. */
export interface SipTimers {
  /** RTT estimate; default 500 ms. Timers A, B, E, F, G, H, J derive from it. */
  t1: number;
  /** Cap of the non-INVITE and 2xx retransmit interval; default 4000 ms. */
  t2: number;
  /** Longest time a message stays in the network; default 5000 ms (Timers I, K). */
  t4: number;
}

/** A name-addr as the caller writes it: `{ uri: 'sip:alice@example.com', displayName: 'Alice' }`. */
export interface NameAddrInput {
  uri: string;
  displayName?: string;
}

/** Digest credentials used to answer one 401/407 challenge per request (RFC 3261 §22.2, §22.3). */
export interface SipCredentials {
  username: string;
  password: string;
  /** Only answer challenges of this realm; any realm by default. */
  realm?: string;
}

/** Options of `SipUserAgent.start`. */
export interface UserAgentOptions {
  /** Address to bind; default `0.0.0.0`, port 5060. Port 0 lets the OS pick (see `ua.address`). */
  listen?: { host?: string; port?: number; tlsPort?: number };
  /** Certificates of SIP over TLS; required when `transports` holds `tls`. */
  tls?: SipTlsOptions;
  /** Transports to open, default both. With port 0 they share one OS-chosen port when possible. */
  transports?: SipTransportName[];
  /** Timer bases; tests use small values (t1 = 50 ms) to run fast. */
  timers?: Partial<SipTimers>;
  /** User-Agent header value; default `pconn`. */
  userAgent?: string;
  /** Host written in Contact and Via sent-by; default the listen host (for 0.0.0.0: the first external IPv4, else 127.0.0.1). */
  contactHost?: string;
  /** User part of our Contact URI; default none. */
  contactUser?: string;
  /**
   * Out-of-dialog requests other than INVITE, CANCEL and BYE (REGISTER, OPTIONS, MESSAGE…); the
   * handler must `respond`. Default: OPTIONS → 200, others → 405. A handler that throws
   * before answering produces 500.
   */
  onRequest?: (request: IncomingRequest) => void;
  /** Out-of-dialog INVITEs (a throwing handler produces 500). Default: 603 Decline. */
  onInvite?: (invite: IncomingInvite) => void;
  /** Observer of transaction creation, retransmissions and timeouts. */
  onTransactionEvent?: (event: TransactionEvent) => void;
  /** Observer of messages the transport dropped or answered with 400. */
  onDroppedMessage?: (event: DroppedMessage) => void;
  /** Time a deferred ACK may wait before the UA sends an empty one and BYEs; default 64*T1 (32 s). */
  ackTimeoutMs?: number;
  /** Interval of RFC 5626 CRLFCRLF keep-alive pings on TCP connections we opened; 0 (default) = off. */
  tcpKeepAliveMs?: number;
  /** Per-source and total token buckets for out-of-dialog requests; default none (see SipTransportOptions). */
  requestRateLimit?: SourceRateLimitOptions;
}

/** The UA's bound addresses. `port` is the UDP port when UDP is open, else the TCP port. */
export interface UserAgentAddress {
  host: string;
  port: number;
  udpPort?: number;
  tcpPort?: number;
  tlsPort?: number;
}

/** Counters of the UA, for metrics and tests. */
export interface UserAgentStats {
  /** Messages dropped or answered with 400 by the transport. */
  dropped: number;
  /** Live transactions. */
  transactions: number;
  /** Live dialogs (early and confirmed). */
  dialogs: number;
}

/** Extra headers: a record (one field each) or ordered pairs (repeat names freely). */
export type ExtraHeaders = Record<string, string> | ReadonlyArray<readonly [string, string]>;

/** Options of `ua.invite` (RFC 3261 §13.2.1). */
export interface InviteOptions {
  /** Request-URI, e.g. `sip:bob@127.0.0.1:5070;transport=tcp`. */
  target: string;
  /** From; default `sip:pconn@<contactHost>`. A fresh tag is always added. */
  from?: NameAddrInput;
  /** To; default the target. */
  to?: NameAddrInput;
  /** SDP offer; omit to send an INVITE without offer (the 2xx then carries the offer). */
  sdp?: string;
  /** Answer one 401/407 digest challenge (MD5 / SHA-256, qop=auth) with these. */
  credentials?: SipCredentials;
  /** Extra headers (P-Asserted-Identity, …). */
  headers?: ExtraHeaders;
  /** When the 2xx carries an offer, do not ACK: the caller calls `dialog.ack(answer)` later. */
  deferAck?: boolean;
  /** Next hop for every request of this call (an outbound proxy), sent as a loose Route. */
  outboundProxy?: string;
}

/** A 1xx received for an INVITE. */
export interface ProvisionalInfo {
  status: number;
  reason: string;
  /** Early media SDP (183), when present. */
  sdp?: string;
  /**
   * The early dialog (RFC 3261 §12.1.2) of a 1xx carrying a To tag (not 100). The 2xx with the
   * same tag confirms this same object; a failure ends it.
   */
  dialog?: Dialog;
  response: SipResponse;
}

/** Why an INVITE or a request failed. */
export interface FailureInfo {
  /** Final status; 408 on timeout, 503 on a transport error (RFC 3261 §8.1.3.1), 487 when cancelled. */
  status: number;
  reason: string;
  /** Timer B/F fired: no final response at all. */
  timeout?: boolean;
  /** The request could not be sent (connection refused, unreachable). */
  transportError?: boolean;
  /** The call was cancelled by `cancel()`. */
  cancelled?: boolean;
  /** The final response, when one arrived. */
  response?: SipResponse;
}

/** Final outcome of an outgoing INVITE. */
export type InviteResult =
  | { kind: 'answered'; dialog: Dialog; sdp?: string; response: SipResponse }
  | ({ kind: 'failed' } & FailureInfo);

/** An outgoing INVITE client session, returned by `ua.invite`. */
export interface OutgoingInvite {
  readonly callId: string;
  /** Settles once: answered or failed (never rejects). */
  readonly result: Promise<InviteResult>;
  /** 1xx responses (100, 180, 183…), in order. */
  on(event: 'provisional', listener: (info: ProvisionalInfo) => void): this;
  /** The first 2xx: the dialog is confirmed (or waits for `dialog.ack` with deferAck). */
  on(event: 'answered', listener: (dialog: Dialog, sdp: string | undefined) => void): this;
  /** A final non-2xx, a timeout or a transport error. */
  on(event: 'failed', listener: (failure: FailureInfo) => void): this;
  /**
   * Cancels the call (RFC 3261 §9.1): sends CANCEL once a provisional arrived (else waits for
   * one). If a 2xx still wins the race, it is ACKed and the dialog is ended with BYE.
   */
  cancel(reason?: string): void;
}

/** Options of an in-dialog or out-of-dialog request with a body. */
export interface RequestBodyOptions {
  headers?: ExtraHeaders;
  body?: string | Uint8Array;
  /** Content-Type of the body; default `application/sdp` for SDP-looking bodies. */
  contentType?: string;
}

/** Options of `dialog.reinvite` (RFC 3261 §14.1). */
export interface ReinviteOptions {
  /** SDP offer; omit to send an offerless re-INVITE (the 2xx carries the offer). */
  sdp?: string;
  headers?: ExtraHeaders;
  /** When the 2xx carries an offer, do not ACK: the caller sends `dialog.ack(answer)`. */
  deferAck?: boolean;
}

/** Outcome of a re-INVITE; a non-2xx leaves the session as it was (RFC 3261 §14.1). */
export interface ReinviteResult {
  status: number;
  reason: string;
  /** SDP of the final response. */
  sdp?: string;
  timeout?: boolean;
  response?: SipResponse;
}

/** Outcome of a non-INVITE request (OPTIONS keep-alive, INFO, MESSAGE…). */
export interface RequestResult {
  status: number;
  reason: string;
  /** Time from the first send to the final response (or timeout). */
  rttMs: number;
  timeout?: boolean;
  transportError?: boolean;
  response?: SipResponse;
}

/** How a dialog ended. */
export interface DialogEnd {
  by: 'local' | 'remote';
  /**
   * `local`: the final status of our BYE (408 when it timed out), absent when no BYE was sent
   * (`ua.close()`, reason `user agent closed`). `remote`: absent for a BYE from the peer, 481
   * when a re-INVITE found the dialog gone. The UA itself BYEs (status of that BYE) when a
   * deferred ACK is never sent, when our 2xx is never ACKed, or when a re-INVITE times out.
   */
  status?: number;
  reason?: string;
}

/** An INVITE dialog (RFC 3261 §12), UAC or UAS side. */
export interface Dialog {
  /** `callId;localTag;remoteTag`. */
  readonly id: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly role: 'uac' | 'uas';
  /** `early` for a UAC dialog made by a 1xx (see ProvisionalInfo.dialog) until its 2xx. */
  readonly state: 'early' | 'confirmed' | 'terminated';
  /** Remote target (Contact of the peer, RFC 3261 §12.1). */
  readonly remoteTarget: string;
  /** Last SDP received from the peer (offer or answer). */
  readonly remoteSdp: string | undefined;
  /** True while a 2xx waits for `ack()` (deferAck). */
  readonly ackPending: boolean;
  /** Sends the pending ACK of the last 2xx to INVITE, with the SDP answer when the 2xx carried an offer. */
  ack(sdp?: string): void;
  /** Sends a re-INVITE; rejects with Error when another INVITE is in progress on the dialog. */
  reinvite(options?: ReinviteOptions): Promise<ReinviteResult>;
  /** Sends another in-dialog non-INVITE request (INFO, OPTIONS, …). */
  request(method: string, options?: RequestBodyOptions): Promise<RequestResult>;
  /** Ends the dialog with BYE (RFC 3261 §15.1.1); resolves when the BYE transaction completes. */
  bye(): Promise<void>;
  /** Called once when the dialog ends, by a BYE from either side or a failure. */
  onEnded(listener: (end: DialogEnd) => void): void;
  /**
   * Answers remote re-INVITEs: gets the offer (undefined for an offerless re-INVITE) and returns
   * the SDP to put in the 200 (answer, or offer when none came). Throwing or returning `null`
   * answers 488. Without a handler, re-INVITEs get 200 with the last local SDP.
   */
  onReinvite(handler: (offer: string | undefined, request: IncomingRequest) => ReinviteAnswer): void;
  /** Called with the SDP of the ACK that confirms a 2xx we sent (answer to an offerless INVITE). */
  onAck(listener: (sdp: string | undefined) => void): void;
  /** In-dialog requests other than BYE/INVITE/ACK/OPTIONS; default answer 200 (INFO) or 405. */
  onRequest(listener: (request: IncomingRequest) => void): void;
}

/** What a re-INVITE handler returns: SDP for the 200, or `null` to answer 488. */
export type ReinviteAnswer = string | null | undefined | Promise<string | null | undefined>;

/** Options of a response sent through `IncomingRequest.respond`. */
export interface RespondOptions {
  headers?: ExtraHeaders;
  body?: string | Uint8Array;
  /** Content-Type of the body; default `application/sdp` when a body is given. */
  contentType?: string;
}

/** A request received by the UA; answer it exactly once with a final status. */
export interface IncomingRequest {
  readonly message: SipRequest;
  readonly method: string;
  readonly source: RemoteAddress;
  /** The dialog of an in-dialog request. */
  readonly dialog?: Dialog;
  /** Sends a response through the server transaction (1xx may precede the final one). */
  respond(status: number, reason?: string, options?: RespondOptions): void;
}

/** An out-of-dialog INVITE offered to `onInvite` (RFC 3261 §13.3). */
export interface IncomingInvite extends IncomingRequest {
  /** The SDP offer, when the INVITE carried one. */
  readonly sdp: string | undefined;
  /** Sends a provisional response (default 180) creating an early dialog. */
  progress(status?: number, options?: { sdp?: string }): void;
  /** Sends 200 with `sdp` and returns the dialog; the 2xx is retransmitted until ACKed (§13.3.1.4). */
  accept(options?: { sdp?: string; headers?: ExtraHeaders }): Dialog;
  /** Rejects with a final non-2xx (default 486). */
  reject(status?: number, reason?: string): void;
  /** Called when the caller CANCELs before we answered (the UA has already sent 487). */
  onCancel(listener: () => void): void;
}

/** Options of `ua.request` (out-of-dialog non-INVITE, RFC 3261 §8.1). */
export interface OutOfDialogRequestOptions extends RequestBodyOptions {
  method: string;
  target: string;
  from?: NameAddrInput;
  to?: NameAddrInput;
  credentials?: SipCredentials;
  outboundProxy?: string;
}
