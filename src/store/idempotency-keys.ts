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

/** A batched request's key with the answer it got (the call, or the problem); see writeAcceptedBatch. */
export interface IdempotencyAnswer {
  tenantId: string;
  key: string;
  fingerprint: string;
  status: number;
  body: unknown;
}
