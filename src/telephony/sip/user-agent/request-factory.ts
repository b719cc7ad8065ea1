import { newCallId, newTag } from '../message/message-ids.ts';
import { serializeMessage } from '../message/serialize-message.ts';
import { quoteString } from '../message/sip-grammar.ts';
import { SipHeaders } from '../message/sip-headers.ts';
import { createRequest, type SipRequest } from '../message/sip-message.ts';
import { parseUri } from '../message/sip-uri.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';
import type { ExtraHeaders, NameAddrInput } from './api-types.ts';
import { ALLOW, bodyParts, headerPairs } from './message-body.ts';
import type { UaContext } from './ua-context.ts';

/** What an out-of-dialog request is made of (RFC 3261 §8.1.1). */
export interface OutOfDialogParts {
  method: string;
  target: string;
  from?: NameAddrInput;
  to?: NameAddrInput;
  outboundProxy?: string;
  headers?: ExtraHeaders;
  body?: string | Uint8Array;
  contentType?: string;
}

/** A request ready for its first transaction, and where it goes. */
export interface BuiltRequest {
  request: SipRequest;
  destination: RemoteAddress;
  callId: string;
}

/** `"Display" <uri>` or `<uri>`. */
export function formatNameAddr(value: NameAddrInput): string {
  return value.displayName ? `${quoteString(value.displayName)} <${value.uri}>` : `<${value.uri}>`;
}

/** The Route value for an outbound proxy, made loose (`;lr`) so the Request-URI stays the target. */
function proxyRoute(proxy: string): string {
  const uri = parseUri(proxy);
  return uri?.kind === 'sip' && !uri.params.has('lr') ? `<${proxy};lr>` : `<${proxy}>`;
}

/**
 * Builds an out-of-dialog request (RFC 3261 §8.1.1): Request-URI = target, To without tag, From
 * with a fresh tag, new Call-ID, CSeq 1, Max-Forwards 70, Via with a fresh branch and `rport`
 * (RFC 3581), Contact for INVITE, Allow, User-Agent. Throws TypeError on a non-SIP target or
 * proxy, or when no open transport can reach it.
 */
export function buildOutOfDialogRequest(context: UaContext, parts: OutOfDialogParts): BuiltRequest {
  const target = parseUri(parts.target);
  if (target?.kind !== 'sip') throw new TypeError(`not a SIP URI: ${parts.target}`);
  const nextHopUri = parts.outboundProxy ?? parts.target;
  const destination = context.nextHop(nextHopUri);
  if (!destination) throw new TypeError(`cannot route to ${nextHopUri}`);
  const callId = newCallId();
  const headers = new SipHeaders([['Via', context.via(destination.transport)]]);
  if (parts.outboundProxy) headers.append('Route', proxyRoute(parts.outboundProxy));
  headers.append('Max-Forwards', '70');
  headers.append(
    'From',
    `${parts.from ? formatNameAddr(parts.from) : context.defaultFrom()};tag=${newTag()}`,
  );
  headers.append('To', formatNameAddr(parts.to ?? { uri: parts.target }));
  headers.append('Call-ID', callId);
  headers.append('CSeq', `1 ${parts.method}`);
  if (parts.method === 'INVITE') headers.append('Contact', context.contact(destination.transport));
  headers.append('Allow', ALLOW);
  headers.append('User-Agent', context.userAgent);
  for (const [name, value] of headerPairs(parts.headers)) headers.append(name, value);
  const body = bodyParts(parts.body, parts.contentType);
  for (const [name, value] of body.headers) headers.append(name, value);
  const request = createRequest(parts.method, parts.target, headers, body.body);
  return { request, destination: switchLargeToTcp(context, request, destination, nextHopUri), callId };
}

/** RFC 3261 §18.1.1: the path MTU is unknown, so 1500 minus 200 bytes of headroom. */
const UDP_SIZE_LIMIT = 1300;

/**
 * RFC 3261 §18.1.1: a request within 200 bytes of the MTU must go over a congestion-controlled
 * transport. When the next hop did not ask for UDP explicitly and TCP is open, the request's
 * Via and Contact are rewritten for TCP and the TCP destination returned.
 */
function switchLargeToTcp(
  context: UaContext,
  request: SipRequest,
  destination: RemoteAddress,
  nextHopUri: string,
): RemoteAddress {
  if (destination.transport !== 'udp') return destination;
  const uri = parseUri(nextHopUri);
  if (uri?.kind === 'sip' && uri.params.has('transport')) return destination;
  const tcp = context.nextHop(`${nextHopUri};transport=tcp`);
  if (tcp?.transport !== 'tcp' || serializeMessage(request).length <= UDP_SIZE_LIMIT) return destination;
  request.headers.set('Via', context.via('tcp'));
  if (request.headers.has('contact')) request.headers.set('Contact', context.contact('tcp'));
  return tcp;
}
