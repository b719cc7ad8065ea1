import { timingSafeEqual } from 'node:crypto';
import type { DigestCredentials } from './digest-credentials.ts';
import type { DigestNonces } from './digest-nonce.ts';
import {
  computeHa1,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestHashName,
  digestAlgorithm,
  digestResponse,
  hashOf,
} from './digest-response.ts';

/** What the registrar knows about the request and the user. */
export interface VerifyDigestOptions {
  /** Parsed Authorization / Proxy-Authorization (parseDigestCredentials). */
  credentials: DigestCredentials;
  /** The request method (RFC 7616 §3.4.3: A2 starts with it). */
  method: string;
  /** Our realm: credentials for another realm never verify. */
  realm: string;
  nonces: DigestNonces;
  /** The address the request comes from (`host:port`): the nonce must have been issued to it. */
  nonceBinding?: string;
  /** The user's password, or precomputed HA1 values per hash (H(username:realm:password)). */
  password?: string;
  ha1?: Partial<Record<DigestHashName, string>>;
  /** When given, the digest-uri must equal it (RFC 7616 §3.4.6: same resource as the request). */
  uri?: string;
  /** Request body, for qop=auth-int. */
  body?: Uint8Array;
  /** Algorithms accepted; default all supported. */
  algorithms?: readonly DigestAlgorithm[];
  /** Refuse the RFC 2069 form (no qop). Default false: our challenges offer qop=auth anyway. */
  requireQop?: boolean;
}

/** Outcome of {@link verifyDigest}. */
export type VerifyDigestResult =
  | { ok: true; username: string }
  /**
   * `stale`: the answer was right for an expired nonce, or for one issued to another address;
   * challenge again with stale=true.
   */
  | { ok: false; reason: string; stale: boolean };

function failure(reason: string, stale = false): VerifyDigestResult {
  return { ok: false, reason, stale };
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies digest credentials for the registrar (RFC 7616 §3.4, RFC 3261 §22.4). The response
 * is checked before the nonce's age so that stale=true is only reported for a correct answer
 * (RFC 7616 §3.3). Never throws.
 */
export function verifyDigest(options: VerifyDigestOptions): VerifyDigestResult {
  const c = options.credentials;
  if (c.realm !== options.realm) return failure('realm mismatch');
  const algorithm = digestAlgorithm(c.algorithm);
  if (!algorithm || !(options.algorithms ?? DIGEST_ALGORITHMS).includes(algorithm)) {
    return failure('unsupported algorithm');
  }
  if (options.uri !== undefined && c.uri !== options.uri)
    return failure('digest uri does not match the request');
  let qop: 'auth' | 'auth-int' | undefined;
  if (c.qop !== undefined) {
    const q = c.qop.toLowerCase();
    if (q !== 'auth' && q !== 'auth-int') return failure('unsupported qop');
    if (c.cnonce === undefined || c.nc === undefined || !/^[0-9a-fA-F]{8}$/.test(c.nc)) {
      return failure('qop without cnonce or with a malformed nc');
    }
    qop = q;
  } else if (options.requireQop) return failure('qop required');
  const nonceStatus = options.nonces.check(c.nonce, options.nonceBinding);
  if (nonceStatus === 'invalid') return failure('nonce not issued by us');
  const hash = hashOf(algorithm);
  const ha1 =
    options.ha1?.[hash] ??
    (options.password === undefined ? undefined : computeHa1(hash, c.username, c.realm, options.password));
  if (ha1 === undefined) return failure('no password or HA1 for this hash');
  const expected = digestResponse({
    algorithm,
    ha1,
    nonce: c.nonce,
    method: options.method,
    uri: c.uri,
    ...(qop ? { qop, nc: c.nc, cnonce: c.cnonce } : {}),
    ...(!qop && c.cnonce !== undefined ? { cnonce: c.cnonce } : {}),
    ...(options.body ? { body: options.body } : {}),
  });
  if (!sameHex(expected, c.response)) {
    // A wrong answer on a nonce sent to another address is no password guess from here: it may
    // come with a spoofed source (blind: the attacker never saw a challenge sent there), and
    // counting it would let anyone lock a phone's address out. The caller re-challenges it.
    return nonceStatus === 'moved' ? failure('nonce issued to another address') : failure('wrong response');
  }
  if (nonceStatus === 'stale') return failure('nonce expired', true);
  if (nonceStatus === 'moved') return failure('nonce issued to another address', true);
  return { ok: true, username: c.username };
}
