import { newCnonce } from '../message/message-ids.ts';
import { quoteString } from '../message/sip-grammar.ts';
import { parseAuthHeader } from './auth-params.ts';
import type { DigestChallenge } from './digest-challenge.ts';
import { computeHa1, digestAlgorithm, digestResponse, hashOf } from './digest-response.ts';

/** Digest credentials from an Authorization / Proxy-Authorization value (RFC 7616 §3.4). */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  /** As sent, `MD5` when absent. */
  algorithm: string;
  cnonce?: string;
  /** nonce-count as sent (8 hex digits). */
  nc?: string;
  qop?: string;
  opaque?: string;
  /** Every parameter, names lower-cased, values unquoted. */
  params: Map<string, string>;
}

/** Parses a Digest Authorization / Proxy-Authorization value; undefined when malformed or incomplete. */
export function parseDigestCredentials(value: string): DigestCredentials | undefined {
  const headers = parseAuthHeader(value);
  const header = headers?.length === 1 ? headers[0] : undefined;
  if (header?.scheme.toLowerCase() !== 'digest') return undefined;
  const p = header.params;
  const [username, realm, nonce, uri, response] = ['username', 'realm', 'nonce', 'uri', 'response'].map((n) =>
    p.get(n),
  );
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined)
    return undefined;
  if (response === undefined) return undefined;
  const credentials: DigestCredentials = {
    username,
    realm,
    nonce,
    uri,
    response,
    algorithm: p.get('algorithm') ?? 'MD5',
    params: p,
  };
  for (const key of ['cnonce', 'nc', 'qop', 'opaque'] as const) {
    const v = p.get(key);
    if (v !== undefined) credentials[key] = v;
  }
  return credentials;
}

/** Who answers a challenge, and for which request. */
export interface AnswerOptions {
  username: string;
  /** The password, or `ha1` = H(username:realm:password) under the challenge's hash. */
  password?: string;
  ha1?: string;
  method: string;
  /** digest-uri: the Request-URI (RFC 3261 §22.4). */
  uri: string;
  /** Request body, for qop=auth-int. */
  body?: Uint8Array;
  /** nonce-count for this nonce, starting at 1 (see NonceCounter); default 1. */
  nc?: number;
  /** Client nonce; a fresh random one by default. */
  cnonce?: string;
}

/** An answer to a challenge. */
export interface DigestAnswer {
  /** The Authorization (401) or Proxy-Authorization (407) header value. */
  value: string;
  response: string;
  qop?: 'auth' | 'auth-int';
  nc?: string;
  cnonce?: string;
}

/**
 * Answers a Digest challenge (RFC 7616 §3.4, RFC 8760 for SIP, RFC 2069 form when the
 * challenge offers no qop). Prefers qop=auth, falls back to auth-int. Returns undefined when
 * the algorithm or every offered qop is unsupported, or when neither password nor ha1 is given.
 */
export function digestCredentials(
  challenge: DigestChallenge,
  options: AnswerOptions,
): DigestAnswer | undefined {
  const algorithm = digestAlgorithm(challenge.algorithm);
  if (!algorithm) return undefined;
  let qop: 'auth' | 'auth-int' | undefined;
  if (challenge.qop.includes('auth')) qop = 'auth';
  else if (challenge.qop.includes('auth-int')) qop = 'auth-int';
  else if (challenge.qop.length > 0) return undefined;
  const ha1 =
    options.ha1 ??
    (options.password === undefined
      ? undefined
      : computeHa1(hashOf(algorithm), options.username, challenge.realm, options.password));
  if (ha1 === undefined) return undefined;
  // RFC 7616 §3.4: nc is 8 hex digits; cnonce is needed with qop and with -sess algorithms.
  const nc = qop ? (options.nc ?? 1).toString(16).padStart(8, '0') : undefined;
  const cnonce = qop || algorithm.endsWith('-sess') ? (options.cnonce ?? newCnonce()) : undefined;
  const response = digestResponse({
    algorithm,
    ha1,
    nonce: challenge.nonce,
    method: options.method,
    uri: options.uri,
    ...(qop ? { qop } : {}),
    ...(nc ? { nc } : {}),
    ...(cnonce ? { cnonce } : {}),
    ...(options.body ? { body: options.body } : {}),
  });
  const parts = [
    `username=${quoteString(options.username)}`,
    `realm=${quoteString(challenge.realm)}`,
    `nonce=${quoteString(challenge.nonce)}`,
    `uri=${quoteString(options.uri)}`,
    `response="${response}"`,
    `algorithm=${algorithm}`,
  ];
  if (cnonce !== undefined) parts.push(`cnonce=${quoteString(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quoteString(challenge.opaque)}`);
  // RFC 7616 §3.4: qop and nc are unquoted in credentials.
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`);
  const answer: DigestAnswer = { value: `Digest ${parts.join(', ')}`, response };
  if (qop) answer.qop = qop;
  if (nc) answer.nc = nc;
  if (cnonce) answer.cnonce = cnonce;
  return answer;
}

/**
 * Counts requests per nonce for the `nc` parameter (RFC 7616 §3.4: the count of requests the
 * client has sent with this nonce, starting at 1). Remembers a bounded number of nonces.
 */
export class NonceCounter {
  readonly #counts = new Map<string, number>();
  readonly #limit: number;

  /** Creates a counter remembering at most `limit` nonces (oldest forgotten first). */
  constructor(limit = 64) {
    this.#limit = limit;
  }

  /** The nc to send with the next request using `nonce`. */
  next(nonce: string): number {
    const n = (this.#counts.get(nonce) ?? 0) + 1;
    this.#counts.delete(nonce);
    this.#counts.set(nonce, n);
    if (this.#counts.size > this.#limit) {
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
    return n;
  }
}
