/**
 * Public API of pconn's SIP user-agent core (RFC 3261): transport, transaction and dialog
 * layers stay internal; callers use `SipUserAgent` and the types below.
 *
 * ```ts
 * const ua = await SipUserAgent.start({ listen: { host: '127.0.0.1', port: 0 } });
 * const call = ua.invite({ target: 'sip:bob@127.0.0.1:5070', sdp });
 * call.on('answered', (dialog) => dialog.onEnded((end) => …));
 * const outcome = await call.result;
 * ```
 */

/** Token buckets for out-of-dialog requests, and the SIP driver's defaults. */
export {
  DEFAULT_SOURCE_RATE_LIMIT,
  type SourceRateLimitOptions,
} from '../transport/source-rate-limit.ts';
/** The user agent's API types. */
export type {
  Dialog,
  DialogEnd,
  DroppedMessage,
  ExtraHeaders,
  FailureInfo,
  IncomingInvite,
  IncomingRequest,
  InviteOptions,
  InviteResult,
  NameAddrInput,
  OutgoingInvite,
  OutOfDialogRequestOptions,
  ProvisionalInfo,
  ReinviteAnswer,
  ReinviteOptions,
  ReinviteResult,
  RemoteAddress,
  RequestBodyOptions,
  RequestResult,
  RespondOptions,
  SipCredentials,
  SipTimers,
  SipTlsOptions,
  SipTransportName,
  TransactionEvent,
  UserAgentAddress,
  UserAgentOptions,
  UserAgentStats,
} from './api-types.ts';
export { SipUserAgent } from './sip-user-agent.ts';
