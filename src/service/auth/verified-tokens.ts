import { hash } from 'node:crypto';
import type { Principal } from '../../domain/request-context.ts';

/** A token verified once: who it speaks for, until when, under which key and generation. */
export interface VerifiedToken {
  principal: Principal;
  kid: string;
  /** The token's `exp`, in ms: past it the entry is never used. */
  expiresAtMs: number;
  /** The revocation generation it was verified under: any other one makes the entry void. */
  generation: string;
}

/**
 * Access tokens already verified on this node, keyed by the token's SHA-256 (a heap dump holds
 * no usable bearer token), so a client sending the same token on every request pays the ES256
 * verification, the claim checks and the client lookup once rather than per request. Bounded
 * (PCONN_TOKEN_CACHE_MAX): when full, the oldest entry makes room. An entry is trusted only
 * until its `exp` and under the revocation generation it was verified in (the caller checks
 * the key is still published).
 */
export class VerifiedTokens {
  readonly #entries = new Map<string, VerifiedToken>();

  constructor(private readonly max: number) {}

  /** The cache key of a token. */
  static keyOf(token: string): string {
    // One-shot: no Hash object per request (this runs for every authenticated request).
    return hash('sha256', token, 'base64url');
  }

  /** The entry for `key` when it is still valid at `nowMs` under `generation`. */
  get(key: string, nowMs: number, generation: string): VerifiedToken | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs > nowMs && entry.generation === generation) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  /** Remembers a verified token, evicting the oldest entry when the cache is full. */
  set(key: string, entry: VerifiedToken): void {
    if (this.max <= 0) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, entry);
  }

  /** Forgets every token (a credential was revoked somewhere). */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
