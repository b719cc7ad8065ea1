import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock } from '../../domain/clock.ts';
import type { Db } from '../../store/database.ts';
import {
  insertSigningKey,
  listLiveSigningKeys,
  replaceSigningKeyPrivate,
  type SigningKeyRow,
} from '../../store/signing-keys.ts';
import { KeyEncryption } from './key-encryption.ts';

/** How keys rotate: a key signs for `rotationSeconds`, then stays published until its tokens expire. */
export interface KeyRotationPolicy {
  rotationSeconds: number;
  tokenTtlSeconds: number;
}

/**
 * The ES256 keys pconn signs access tokens with. Keys live in the store so every node of a
 * cluster signs and verifies with the same set; a node that sees an unknown `kid` reloads.
 */
export class SigningKeyRing {
  private keys: SigningKeyRow[] = [];
  private loadedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly policy: KeyRotationPolicy,
    private readonly clock: Clock,
    private readonly encryption = new KeyEncryption(undefined),
  ) {}

  /**
   * Seals every stored key under the current key-encryption key: keys written before a KEK was
   * set, and keys sealed under a KEK being rotated out. Run at start, before serving; with no KEK
   * it only checks that every stored key opens (a store sealed under a KEK this node lacks
   * fails here, naming the setting, rather than at the first token request).
   */
  async sealStoredKeys(): Promise<number> {
    let resealed = 0;
    for (const key of await listLiveSigningKeys(this.db, this.clock.now())) {
      const jwk = this.encryption.open(key.privateJwk, key.kid);
      if (!this.encryption.needsReseal(key.privateJwk)) continue;
      await replaceSigningKeyPrivate(this.db, key.kid, this.encryption.seal(jwk, key.kid));
      resealed += 1;
    }
    return resealed;
  }

  /**
   * Loads the live keys and creates a new one when none may sign any more. Concurrent callers
   * share one reload, so a burst of requests at rotation time creates one key, not one each.
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.reload().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async reload(): Promise<void> {
    const now = this.clock.now();
    this.keys = await this.loadKeys(now);
    if (!this.keys.some((key) => key.retiresAt > now)) {
      await this.createKey(now);
      this.keys = await this.loadKeys(now);
    }
    this.loadedAt = this.clock.now().getTime();
  }

  /** The key new tokens are signed with, rotating first when the current one has retired. */
  async signingKey(): Promise<SigningKeyRow> {
    const now = this.clock.now();
    let current = this.keys.find((key) => key.retiresAt > now);
    if (!current) {
      await this.refresh();
      current = this.keys.find((key) => key.retiresAt > now);
    }
    if (!current) throw new Error('no signing key available after refresh');
    return current;
  }

  /** Public keys for the JWKS document. */
  publicKeys(): JWK[] {
    const now = this.clock.now();
    return this.keys.filter((key) => key.expiresAt > now).map((key) => key.publicJwk as JWK);
  }

  /** The public key with this kid; reloads once (at most every second) when it is unknown. */
  async publicKey(kid: string): Promise<JWK | undefined> {
    let key = this.keys.find((k) => k.kid === kid);
    if (!key && this.clock.now().getTime() - this.loadedAt > 1000) {
      await this.refresh();
      key = this.keys.find((k) => k.kid === kid);
    }
    return key && key.expiresAt > this.clock.now() ? (key.publicJwk as JWK) : undefined;
  }

  /**
   * Whether the key with this kid is still published, from memory only (no reload): what a
   * cached verification needs to stay as strict as a fresh one once a key expires or is gone.
   */
  isPublished(kid: string): boolean {
    const key = this.keys.find((k) => k.kid === kid);
    return key !== undefined && key.expiresAt > this.clock.now();
  }

  /** The live keys with their private halves opened (sealed only at rest). */
  private async loadKeys(now: Date): Promise<SigningKeyRow[]> {
    const rows = await listLiveSigningKeys(this.db, now);
    return rows.map((row) => ({ ...row, privateJwk: this.encryption.open(row.privateJwk, row.kid) }));
  }

  private async createKey(now: Date): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const retiresAt = new Date(now.getTime() + this.policy.rotationSeconds * 1000);
    // Published until the last token it signed has expired, plus a minute of clock skew.
    const expiresAt = new Date(retiresAt.getTime() + (this.policy.tokenTtlSeconds + 60) * 1000);
    await insertSigningKey(this.db, {
      kid,
      privateJwk: this.encryption.seal({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }, kid),
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
      retiresAt,
      expiresAt,
    });
  }
}
