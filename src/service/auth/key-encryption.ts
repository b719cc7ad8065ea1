import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { UnavailableError } from '../../domain/pconn-error.ts';

/**
 * A private key as stored when a key-encryption key (KEK) is configured: AES-256-GCM over the
 * JWK's JSON, with the key's kid as additional data so a sealed key copied onto another row
 * fails to open. `kekId` names the KEK (a hash, not the key) so an operator can tell which
 * secret a store needs.
 */
export interface SealedKey {
  sealed: 'A256GCM';
  kekId: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** One key-encryption key: the operator's secret stretched to 32 bytes (HKDF-SHA256). */
interface Kek {
  id: string;
  key: Buffer;
}

function kekFrom(secret: string): Kek {
  const key = Buffer.from(hkdfSync('sha256', secret, 'pconn-kek-salt', 'pconn signing keys', 32));
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16) };
}

/** True when a stored private key is sealed rather than a plain JWK. */
export function isSealed(stored: Record<string, unknown>): stored is Record<string, unknown> & SealedKey {
  return stored.sealed === 'A256GCM' && typeof stored.kekId === 'string';
}

/**
 * Seals and opens signing keys with the configured KEK (PCONN_KEY_ENCRYPTION_KEY). Earlier KEKs
 * (PCONN_KEY_ENCRYPTION_KEY_PREVIOUS) still open keys so a KEK can be rotated: at start every
 * stored key is re-sealed under the current one. With no KEK, keys are stored as plain JWKs.
 */
export class KeyEncryption {
  private readonly current: Kek | undefined;
  private readonly all: Kek[];

  constructor(secret: string | undefined, previous: string[] = []) {
    this.current = secret ? kekFrom(secret) : undefined;
    this.all = [...(this.current ? [this.current] : []), ...previous.map(kekFrom)];
  }

  /** Whether new keys are sealed. */
  get enabled(): boolean {
    return this.current !== undefined;
  }

  /** What to store for a private JWK: sealed under the current KEK, or the JWK itself. */
  seal(jwk: Record<string, unknown>, kid: string): Record<string, unknown> {
    if (!this.current) return jwk;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv).setAAD(Buffer.from(kid));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
    const sealed: SealedKey = {
      sealed: 'A256GCM',
      kekId: this.current.id,
      iv: iv.toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
    };
    return { ...sealed };
  }

  /** The private JWK of a stored key; throws `unavailable` naming the setting when it cannot. */
  open(stored: Record<string, unknown>, kid: string): Record<string, unknown> {
    if (!isSealed(stored)) return stored;
    const kek = this.all.find((candidate) => candidate.id === stored.kekId);
    if (!kek)
      throw new UnavailableError(
        'unavailable',
        `Signing key ${kid} is sealed with key-encryption key ${stored.kekId}, which is not configured: set PCONN_KEY_ENCRYPTION_KEY (or PCONN_KEY_ENCRYPTION_KEY_PREVIOUS while rotating) to the secret it was sealed with.`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(stored.iv, 'base64url'))
        .setAAD(Buffer.from(kid))
        .setAuthTag(Buffer.from(stored.tag, 'base64url'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(stored.ciphertext, 'base64url')),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new UnavailableError('unavailable', `Signing key ${kid} failed its integrity check.`, {
        cause,
      });
    }
  }

  /** Whether a stored key must be re-written: plain with a KEK set, or sealed under an older KEK. */
  needsReseal(stored: Record<string, unknown>): boolean {
    if (!this.current) return false;
    return !isSealed(stored) || stored.kekId !== this.current.id;
  }
}
