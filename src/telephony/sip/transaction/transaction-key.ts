import type { SipRequest } from '../message/sip-message.ts';
import { getCallId, getCSeq, getFrom, getTopVia } from '../message/typed-headers.ts';
import { BRANCH_MAGIC_COOKIE } from '../message/via.ts';

/**
 * Key of a client transaction (RFC 3261 §17.1.3): the branch of the top Via and the CSeq
 * method, so that a CANCEL (same branch as its INVITE) has its own transaction.
 */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

/**
 * Key of the server transaction a request belongs to (RFC 3261 §17.2.3): branch, sent-by and
 * method, an ACK belonging to the INVITE it acknowledges. A request without an RFC 3261 branch
 * (no magic cookie) falls back to the RFC 2543 identifiers: Call-ID, From tag, CSeq number and
 * sent-by. Returns undefined when the request has no usable top Via.
 */
export function serverKey(request: SipRequest): string | undefined {
  const via = getTopVia(request.headers);
  if (!via) return undefined;
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
  const branch = via.params.get('branch');
  if (branch?.startsWith(BRANCH_MAGIC_COOKIE)) return `${branch}|${sentBy}|${method}`;
  const callId = getCallId(request.headers);
  const fromTag = getFrom(request.headers)?.params.get('tag') ?? '';
  const seq = getCSeq(request.headers)?.seq;
  return `2543|${callId}|${fromTag}|${seq}|${sentBy}|${method}`;
}
