import { createHash } from 'node:crypto';

/** Digest algorithms we compute (RFC 7616 §3.2, RFC 8760 §2.1 for SIP). */
export type DigestAlgorithm =
  | 'MD5'
  | 'MD5-sess'
  | 'SHA-256'
  | 'SHA-256-sess'
  | 'SHA-512-256'
  | 'SHA-512-256-sess';

/** The hash under an algorithm, which also names the HA1 a server may store. */
export type DigestHashName = 'MD5' | 'SHA-256' | 'SHA-512-256';

/** Supported algorithms, strongest first: the order RFC 8760 §2.3 asks challenges to follow. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
];

const HASH_OF: Record<DigestAlgorithm, DigestHashName> = {
  MD5: 'MD5',
  'MD5-sess': 'MD5',
  'SHA-256': 'SHA-256',
  'SHA-256-sess': 'SHA-256',
  'SHA-512-256': 'SHA-512-256',
  'SHA-512-256-sess': 'SHA-512-256',
};

const NODE_HASH: Record<DigestHashName, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

/**
 * The algorithm named by an `algorithm` parameter, compared case-insensitively; a missing
 * parameter means MD5 (RFC 7616 §3.3). Undefined when we do not support it.
 */
export function digestAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  if (name === undefined) return 'MD5';
  const lower = name.toLowerCase();
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === lower);
}

/** The hash function of an algorithm (`SHA-256-sess` → `SHA-256`). */
export function hashOf(algorithm: DigestAlgorithm): DigestHashName {
  return HASH_OF[algorithm];
}

/** Lower-case hex digest of UTF-8 text or bytes. */
export function digestHash(hash: DigestHashName, data: string | Uint8Array): string {
  return createHash(NODE_HASH[hash]).update(data).digest('hex');
}

/** RFC 7616 §3.4.2: H(username ":" realm ":" password), the HA1 a server may store. */
export function computeHa1(hash: DigestHashName, username: string, realm: string, password: string): string {
  return digestHash(hash, `${username}:${realm}:${password}`);
}

/** Inputs of {@link digestResponse}. */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** H(username:realm:password) under the algorithm's hash; `-sess` is applied here. */
  ha1: string;
  nonce: string;
  method: string;
  uri: string;
  /** Absent for the RFC 2069 form. */
  qop?: 'auth' | 'auth-int';
  cnonce?: string;
  /** nonce-count as sent: 8 hex digits. */
  nc?: string;
  /** Entity body, for qop=auth-int. */
  body?: Uint8Array;
}

/**
 * The `response` value (RFC 7616 §3.4.1): KD(HA1, nonce:nc:cnonce:qop:HA2) with qop, or the
 * RFC 2069 form H(HA1:nonce:HA2) without. For `-sess` algorithms HA1 becomes
 * H(H(user:realm:password):nonce:cnonce) (RFC 7616 §3.4.2). A2 is method:uri, plus
 * :H(body) for auth-int (§3.4.3).
 */
export function digestResponse(input: DigestResponseInput): string {
  const hash = hashOf(input.algorithm);
  const ha1 = input.algorithm.endsWith('-sess')
    ? digestHash(hash, `${input.ha1}:${input.nonce}:${input.cnonce ?? ''}`)
    : input.ha1;
  const a2 =
    input.qop === 'auth-int'
      ? `${input.method}:${input.uri}:${digestHash(hash, input.body ?? new Uint8Array(0))}`
      : `${input.method}:${input.uri}`;
  const ha2 = digestHash(hash, a2);
  if (input.qop === undefined) return digestHash(hash, `${ha1}:${input.nonce}:${ha2}`);
  return digestHash(
    hash,
    `${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`,
  );
}
