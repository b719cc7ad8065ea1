import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Settings of {@link DigestNonces}. */
export interface DigestNonceOptions {
  /** Server secret keying the HMAC; at least 16 bytes of entropy. Shared by all nodes. */
  secret: string | Uint8Array;
  /**
   * Lifetime of a nonce. After it, a correct answer gets `stale=true` (RFC 7616 §3.3) and the
   * client retries without prompting. Default 300 s: short enough to bound replay of a
   * captured Authorization, long enough that a REGISTER retry rarely needs a fresh challenge.
   */
  ttlSeconds?: number;
  /** Clock in milliseconds; defaults to Date.now. */
  now?: () => number;
}

/** What {@link DigestNonces.check} found. */
export type NonceStatus = 'valid' | 'stale' | 'invalid';

const TIME_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;
/** Tolerated clock skew between the nodes sharing the secret. */
const FUTURE_SKEW_MS = 5_000;

/**
 * Stateless nonces: base64url(issue time ‖ 64 random bits ‖ HMAC-SHA-256(secret, both)[0..16]).
 * Any node holding the secret can check a nonce's origin and age without storage. The price:
 * without storage, nonce-count replay is not detected within the lifetime.
 */
export class DigestNonces {
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** Creates an issuer/checker from a server secret. */
  constructor(options: DigestNonceOptions) {
    this.#secret = Buffer.from(options.secret);
    if (this.#secret.length === 0) throw new RangeError('digest nonce secret is empty');
    this.#ttlMs = (options.ttlSeconds ?? 300) * 1000;
    this.#now = options.now ?? Date.now;
  }

  #mac(data: Uint8Array): Buffer {
    return createHmac('sha256', this.#secret).update(data).digest().subarray(0, MAC_BYTES);
  }

  /** A fresh nonce for a challenge. */
  issue(): string {
    const nonce = Buffer.alloc(NONCE_BYTES);
    nonce.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#now()))), 0);
    randomBytes(RANDOM_BYTES).copy(nonce, TIME_BYTES);
    this.#mac(nonce.subarray(0, TIME_BYTES + RANDOM_BYTES)).copy(nonce, TIME_BYTES + RANDOM_BYTES);
    return nonce.toString('base64url');
  }

  /** Whether `nonce` is ours and still fresh. Never throws. */
  check(nonce: string): NonceStatus {
    if (!/^[A-Za-z0-9_-]{43}$/.test(nonce)) return 'invalid';
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return 'invalid';
    const mac = this.#mac(raw.subarray(0, TIME_BYTES + RANDOM_BYTES));
    if (!timingSafeEqual(mac, raw.subarray(TIME_BYTES + RANDOM_BYTES))) return 'invalid';
    const age = this.#now() - Number(raw.readBigUInt64BE(0));
    if (age < -FUTURE_SKEW_MS) return 'invalid';
    return age > this.#ttlMs ? 'stale' : 'valid';
  }
}
