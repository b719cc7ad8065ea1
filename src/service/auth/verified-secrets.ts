import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Entries kept at most; past this the cache is cleared and refills from the next successes. */
const MAX_ENTRIES = 10_000;

/**
 * Client secrets that passed the slow scrypt check, remembered as an HMAC under a key that
 * lives only in this process, for one token lifetime. A client renewing its token then costs
 * one HMAC (~2 µs) instead of a scrypt run (~25 ms idle, 50+ ms loaded), so a flood of wrong
 * secrets queued on the slow check cannot hold it up. An entry is bound to the stored hash it
 * was checked against: a changed secret or a new client under the same id never matches it.
 */
export class VerifiedSecrets {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { mac: Buffer; secretHash: string; expiresAtMs: number }>();

  constructor(private readonly ttlMs: number) {}

  /**
   * The stored hash `secret` was checked against when it passed the slow check for this client
   * within the TTL, else undefined. The caller compares it with the client's current hash.
   */
  verifiedAgainst(clientId: string, secret: string, nowMs: number): string | undefined {
    const entry = this.entries.get(clientId);
    if (!entry || entry.expiresAtMs <= nowMs) return undefined;
    return timingSafeEqual(entry.mac, this.mac(clientId, secret)) ? entry.secretHash : undefined;
  }

  /** Remembers a secret that just passed the slow check. */
  remember(clientId: string, secretHash: string, secret: string, nowMs: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(clientId, {
      mac: this.mac(clientId, secret),
      secretHash,
      expiresAtMs: nowMs + this.ttlMs,
    });
  }

  private mac(clientId: string, secret: string): Buffer {
    return createHmac('sha256', this.key).update(clientId).update('\0').update(secret).digest();
  }
}
