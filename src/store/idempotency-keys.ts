import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** What the store knows about a key when a request arrives. */
export type IdempotencyRecord =
  | { state: 'new' }
  | { state: 'in_flight'; fingerprint: string; createdAt: Date }
  | { state: 'done'; fingerprint: string; status: number; body: unknown };

/**
 * Claims `key` for a request atomically (INSERT … ON CONFLICT DO NOTHING): exactly one of any
 * number of concurrent requests sees `new`; the others see the row the winner wrote.
 */
export async function claimIdempotencyKey(
  db: Executor,
  tenantId: string,
  key: string,
  fingerprint: string,
  ttlSeconds: number,
): Promise<IdempotencyRecord> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      tenant_id: tenantId,
      key,
      fingerprint,
      state: 'in_flight',
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { state: 'new' };
  const row = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return claimIdempotencyKey(db, tenantId, key, fingerprint, ttlSeconds);
  if (row.expires_at.getTime() < Date.now()) {
    await db
      .deleteFrom('idempotency_keys')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('expires_at', '<', new Date())
      .execute();
    return claimIdempotencyKey(db, tenantId, key, fingerprint, ttlSeconds);
  }
  if (row.state === 'in_flight')
    return { state: 'in_flight', fingerprint: row.fingerprint, createdAt: row.created_at };
  return {
    state: 'done',
    fingerprint: row.fingerprint,
    status: row.response_status ?? 200,
    body: row.response_body,
  };
}

/** Stores the response of the request that holds the key (replayed to later requests). */
export async function completeIdempotencyKey(
  db: Executor,
  tenantId: string,
  key: string,
  status: number,
  body: unknown,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ state: 'done', response_status: status, response_body: JSON.stringify(body) })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .execute();
}

/** Releases a key whose request failed unexpectedly, so a retry can run again. */
export async function releaseIdempotencyKey(db: Executor, tenantId: string, key: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .where('state', '=', 'in_flight')
    .execute();
}

/** Deletes expired keys (24 h retention). */
export async function purgeExpiredIdempotencyKeys(db: Executor): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('expires_at', '<', new Date()).execute();
}

/** A key a batched request wants to hold. */
export interface IdempotencyClaim {
  tenantId: string;
  key: string;
  fingerprint: string;
}

/**
 * Claims many keys in one statement (the accept path's group commit). Returns the claims that
 * won as `tenantId/key`; a key that already exists is left alone, and its request takes the
 * one-at-a-time path (replay, reuse or in-flight answers). Callers pass each key once.
 */
export async function claimIdempotencyKeys(
  db: Executor,
  claims: readonly IdempotencyClaim[],
  ttlSeconds: number,
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const rows = await db
    .insertInto('idempotency_keys')
    .values(
      claims.map((c) => ({
        tenant_id: c.tenantId,
        key: c.key,
        fingerprint: c.fingerprint,
        state: 'in_flight',
        expires_at: expiresAt,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
    .returning(['tenant_id', 'key'])
    .execute();
  return new Set(rows.map((r) => `${r.tenant_id}/${r.key}`));
}

/** Stores the answers of many key holders in one statement. */
export async function completeIdempotencyKeys(
  db: Executor,
  answers: readonly { tenantId: string; key: string; status: number; body: unknown }[],
): Promise<void> {
  if (answers.length === 0) return;
  const rows = JSON.stringify(answers.map((a) => ({ t: a.tenantId, k: a.key, s: a.status, b: a.body })));
  await sql`update idempotency_keys set state = 'done', response_status = v.s, response_body = v.b
    from jsonb_to_recordset(${rows}::jsonb) as v(t text, k text, s int, b jsonb)
    where idempotency_keys.tenant_id = v.t and idempotency_keys.key = v.k`.execute(db);
}
