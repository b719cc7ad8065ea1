import { parseDigestChallenges, selectChallenge } from '../auth/digest-challenge.ts';
import { digestCredentials } from '../auth/digest-credentials.ts';
import { createRequest, type SipRequest, type SipResponse } from '../message/sip-message.ts';
import { getCSeq } from '../message/typed-headers.ts';
import type { SipCredentials } from './api-types.ts';

/** True for the statuses that carry a digest challenge (RFC 3261 §22.2, §22.3). */
export function isChallenge(status: number): boolean {
  return status === 401 || status === 407;
}

/**
 * The request to resend after a 401/407 (RFC 3261 §22.2): same request with a new top Via
 * (fresh branch), CSeq + 1 (or `seq`) and an Authorization (401) or Proxy-Authorization (407)
 * answering the topmost supported Digest challenge (RFC 8760 §2.4). Undefined when no
 * challenge can be answered with these credentials.
 */
export function authorizeRequest(
  request: SipRequest,
  response: SipResponse,
  credentials: SipCredentials,
  via: string,
  seq?: number,
): SipRequest | undefined {
  const proxy = response.status === 407;
  const challenges = parseDigestChallenges(
    response.headers.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'),
  );
  const challenge = selectChallenge(challenges, credentials.realm);
  if (!challenge) return undefined;
  const answer = digestCredentials(challenge, {
    username: credentials.username,
    password: credentials.password,
    method: request.method,
    uri: request.uri,
    body: request.body,
  });
  if (!answer) return undefined;
  const headers = request.headers.clone();
  const vias = headers.list('via');
  headers.set('Via', [via, ...vias.slice(1)].join(', '));
  const cseq = getCSeq(request.headers);
  headers.set('CSeq', `${seq ?? (cseq?.seq ?? 0) + 1} ${request.method}`);
  headers.set(proxy ? 'Proxy-Authorization' : 'Authorization', answer.value);
  return createRequest(request.method, request.uri, headers, request.body);
}
