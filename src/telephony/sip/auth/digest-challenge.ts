import { quoteString } from '../message/sip-grammar.ts';
import { parseAuthHeader } from './auth-params.ts';
import { type DigestAlgorithm, digestAlgorithm } from './digest-response.ts';

/** A Digest challenge from WWW-Authenticate or Proxy-Authenticate (RFC 7616 §3.3). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** The algorithm as sent, `MD5` when absent; see `digestAlgorithm` for support. */
  algorithm: string;
  /** Offered qop values (`auth`, `auth-int`); empty for an RFC 2069 challenge. */
  qop: string[];
  /** RFC 7616 §3.3: the previous nonce was stale; retry without asking for a password. */
  stale: boolean;
  domain?: string;
  /** RFC 7616 §3.4.4: the server supports hashed usernames. */
  userhash: boolean;
  /** Every parameter, names lower-cased, values unquoted. */
  params: Map<string, string>;
}

/**
 * Extracts the Digest challenges of one or more WWW-Authenticate / Proxy-Authenticate values,
 * in order (a response may carry several, RFC 8760 §2.3). Other schemes and challenges without
 * realm or nonce are skipped. Never throws.
 */
export function parseDigestChallenges(values: string | readonly string[]): DigestChallenge[] {
  const out: DigestChallenge[] = [];
  for (const value of typeof values === 'string' ? [values] : values) {
    for (const header of parseAuthHeader(value) ?? []) {
      if (header.scheme.toLowerCase() !== 'digest') continue;
      const p = header.params;
      const realm = p.get('realm');
      const nonce = p.get('nonce');
      if (realm === undefined || nonce === undefined) continue;
      const challenge: DigestChallenge = {
        realm,
        nonce,
        algorithm: p.get('algorithm') ?? 'MD5',
        qop: (p.get('qop') ?? '')
          .split(',')
          .map((q) => q.trim().toLowerCase())
          .filter((q) => q.length > 0),
        stale: p.get('stale')?.toLowerCase() === 'true',
        userhash: p.get('userhash')?.toLowerCase() === 'true',
        params: p,
      };
      const opaque = p.get('opaque');
      if (opaque !== undefined) challenge.opaque = opaque;
      const domain = p.get('domain');
      if (domain !== undefined) challenge.domain = domain;
      out.push(challenge);
    }
  }
  return out;
}

/**
 * Picks the challenge to answer: RFC 8760 §2.4 says to use the topmost one whose algorithm
 * we support, optionally limited to one realm. Qop must be absent or include auth/auth-int.
 */
export function selectChallenge(
  challenges: readonly DigestChallenge[],
  realm?: string,
): DigestChallenge | undefined {
  return challenges.find(
    (c) =>
      (realm === undefined || c.realm === realm) &&
      digestAlgorithm(c.algorithm) !== undefined &&
      (c.qop.length === 0 || c.qop.includes('auth') || c.qop.includes('auth-int')),
  );
}

/** What a registrar puts in a challenge. */
export interface ChallengeOptions {
  realm: string;
  nonce: string;
  opaque?: string;
  /** Default SHA-256 (RFC 8760 §2.3 prefers it to MD5). */
  algorithm?: DigestAlgorithm;
  /** `auth` (default) or none for an RFC 2069 challenge. */
  qop?: 'auth' | 'none';
  stale?: boolean;
}

/** Builds a WWW-Authenticate / Proxy-Authenticate value: `Digest realm="…", nonce="…", …`. */
export function buildChallenge(options: ChallengeOptions): string {
  const parts = [`realm=${quoteString(options.realm)}`, `nonce=${quoteString(options.nonce)}`];
  if (options.opaque !== undefined) parts.push(`opaque=${quoteString(options.opaque)}`);
  parts.push(`algorithm=${options.algorithm ?? 'SHA-256'}`);
  // RFC 7616 §3.3: qop is a quoted list in challenges.
  if ((options.qop ?? 'auth') === 'auth') parts.push('qop="auth"');
  if (options.stale) parts.push('stale=TRUE');
  return `Digest ${parts.join(', ')}`;
}
