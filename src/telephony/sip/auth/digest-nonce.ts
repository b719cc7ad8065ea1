import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Settings of {@link DigestNonces}. */
export interface DigestNonceOptions {
  /** Server secret keying the HMAC; at least 16 bytes of entropy. Shared by all nodes. */
  secret: string | Uint8Array;
  /**
   * Lifetime of a nonce. After it, a correct answer gets `stale=true` (RFC 7616 §3.3) and the
   * client retries without prompting. Default 60 s: a captured Authorization is only worth
   * anything within it (and nonce-count tracking, see NonceLedger, refuses its replay there).
   */
  ttlSeconds?: number;
  /** Clock in milliseconds; defaults to Date.now. */
  now?: () => number;
}

/**
 * What {@link DigestNonces.check} found. `moved`: ours and fresh, but issued to another
 * address than the one the answer comes from (a phone whose NAT mapping changed, or a replay
 * of a captured header from elsewhere): re-challenged like `stale`.
 */
export type NonceStatus = 'valid' | 'stale' | 'moved' | 'invalid';

const TIME_BYTES = 8;
const RANDOM_BYTES = 8;
const BINDING_BYTES = 8;
const MAC_BYTES = 16;
const SIGNED_BYTES = TIME_BYTES + RANDOM_BYTES + BINDING_BYTES;
const NONCE_BYTES = SIGNED_BYTES + MAC_BYTES;
const NONCE_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((NONCE_BYTES * 8) / 6)}}$`);
/** Tolerated clock skew between the nodes sharing the secret. */
const FUTURE_SKEW_MS = 5_000;

/**
 * Stateless nonces: base64url(issue time ‖ 64 random bits ‖ binding tag ‖ HMAC-SHA-256(secret,
 * all three)[0..16]). Any node holding the secret can check a nonce's origin, age and the
 * address it was issued to without storage. The binding tag (a keyed hash of the address the
 * challenge went to) makes a captured Authorization useless from another address. Replay of a
 * nonce-count within the lifetime needs storage: see NonceLedger.
 */
export class DigestNonces {
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** Creates an issuer/checker from a server secret. */
  constructor(options: DigestNonceOptions) {
    this.#secret = Buffer.from(options.secret);
    if (this.#secret.length === 0) throw new RangeError('digest nonce secret is empty');
    this.#ttlMs = (options.ttlSeconds ?? 60) * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Lifetime of a nonce, ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  #mac(data: Uint8Array): Buffer {
    return createHmac('sha256', this.#secret).update(data).digest().subarray(0, MAC_BYTES);
  }

  #bindingTag(binding: string): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`binding\u0000${binding}`)
      .digest()
      .subarray(0, BINDING_BYTES);
  }

  /** A fresh nonce for a challenge sent to `binding` (the peer's `host:port`; '' for none). */
  issue(binding = ''): string {
    const nonce = Buffer.alloc(NONCE_BYTES);
    nonce.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#now()))), 0);
    randomBytes(RANDOM_BYTES).copy(nonce, TIME_BYTES);
    this.#bindingTag(binding).copy(nonce, TIME_BYTES + RANDOM_BYTES);
    this.#mac(nonce.subarray(0, SIGNED_BYTES)).copy(nonce, SIGNED_BYTES);
    return nonce.toString('base64url');
  }

  /** Whether `nonce` is ours, still fresh and issued to `binding`. Never throws. */
  check(nonce: string, binding = ''): NonceStatus {
    const raw = this.#verified(nonce);
    if (!raw) return 'invalid';
    const age = this.#now() - Number(raw.readBigUInt64BE(0));
    if (age < -FUTURE_SKEW_MS) return 'invalid';
    if (age > this.#ttlMs) return 'stale';
    const tag = raw.subarray(TIME_BYTES + RANDOM_BYTES, SIGNED_BYTES);
    return timingSafeEqual(tag, this.#bindingTag(binding)) ? 'valid' : 'moved';
  }

  /** When an authentic nonce stops being accepted (ms since the epoch); undefined when not ours. */
  expiresAt(nonce: string): number | undefined {
    const raw = this.#verified(nonce);
    return raw ? Number(raw.readBigUInt64BE(0)) + this.#ttlMs : undefined;
  }

  #verified(nonce: string): Buffer | undefined {
    if (!NONCE_PATTERN.test(nonce)) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return undefined;
    const mac = this.#mac(raw.subarray(0, SIGNED_BYTES));
    return timingSafeEqual(mac, raw.subarray(SIGNED_BYTES)) ? raw : undefined;
  }
}
