import { sql } from 'kysely';
import type { Executor } from './database.ts';

/**
 * Records that the registrar accepted `nonce` with count `nc`, atomically across nodes: one
 * upsert that only takes a count above the stored one (or a row whose nonce has expired, so a
 * row left by an unpruned table never blocks). True when recorded; false for a replay.
 */
export async function useSipNonce(
  db: Executor,
  use: { nonce: string; nc: number; expiresAt: Date },
  now: Date,
): Promise<boolean> {
  const result = await sql<{ nonce: string }>`
    insert into sip_nonce_uses (nonce, nc, expires_at)
    values (${use.nonce}, ${use.nc}, ${use.expiresAt})
    on conflict (nonce) do update set nc = excluded.nc, expires_at = excluded.expires_at
    where sip_nonce_uses.nc < excluded.nc or sip_nonce_uses.expires_at <= ${now}
    returning nonce`.execute(db);
  return result.rows.length === 1;
}

/** Deletes the records of expired nonces (they are refused as stale anyway). */
export async function pruneSipNonces(db: Executor, now: Date): Promise<number> {
  const result = await sql`delete from sip_nonce_uses where expires_at <= ${now}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
