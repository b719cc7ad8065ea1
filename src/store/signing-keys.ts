import type { Executor } from './database.ts';

/** A signing key as stored. */
export interface SigningKeyRow {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: Date;
  retiresAt: Date;
  expiresAt: Date;
}

/** Keys whose public half must still be published (not yet expired), newest first. */
export async function listLiveSigningKeys(db: Executor, now: Date): Promise<SigningKeyRow[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => ({
    kid: row.kid,
    privateJwk: row.private_jwk,
    publicJwk: row.public_jwk,
    createdAt: row.created_at,
    retiresAt: row.retires_at,
    expiresAt: row.expires_at,
  }));
}

/** Stores a new signing key. */
export async function insertSigningKey(db: Executor, key: Omit<SigningKeyRow, 'createdAt'>): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      private_jwk: JSON.stringify(key.privateJwk),
      public_jwk: JSON.stringify(key.publicJwk),
      retires_at: key.retiresAt,
      expires_at: key.expiresAt,
    })
    .execute();
}

/** Rewrites a key's stored private half (sealing it under a new key-encryption key). */
export async function replaceSigningKeyPrivate(
  db: Executor,
  kid: string,
  privateJwk: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('signing_keys')
    .set({ private_jwk: JSON.stringify(privateJwk) })
    .where('kid', '=', kid)
    .execute();
}
