import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** A key's stored answer: the fingerprint of the request that set it, and its outcome. */
export interface StoredIdempotencyAnswer {
  fingerprint: string;
  outcome: unknown;
}

/** A key to look up, in its tenant. */
export interface IdempotencyKeyRef {
  tenantId: string;
  key: string;
}

/**
 * The unexpired answers stored under `keys`, in one statement, by `tenantId/key`. A key is
 * written only together with its request's call (write-new-calls.ts), so a key found here has
 * its answer: there is no in-flight state to wait for or take over.
 */
export async function findIdempotencyAnswers(
  db: Executor,
  keys: readonly IdempotencyKeyRef[],
  now: Date,
): Promise<Map<string, StoredIdempotencyAnswer>> {
  const found = new Map<string, StoredIdempotencyAnswer>();
  if (keys.length === 0) return found;
  const wanted = JSON.stringify(keys.map((k) => ({ t: k.tenantId, k: k.key })));
  const result = await sql<{ tenant_id: string; key: string; fingerprint: string; outcome: unknown }>`
    select i.tenant_id, i.key, i.fingerprint, i.outcome
    from jsonb_to_recordset(${wanted}::jsonb) as w(t text, k text)
    join idempotency_keys i on i.tenant_id = w.t and i.key = w.k
    where i.expires_at > ${now}`.execute(db);
  for (const row of result.rows)
    found.set(`${row.tenant_id}/${row.key}`, { fingerprint: row.fingerprint, outcome: row.outcome });
  return found;
}

/** Deletes expired keys (24 h retention). */
export async function purgeExpiredIdempotencyKeys(db: Executor, now: Date): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('expires_at', '<', now).execute();
}

/** A request's key with the outcome it got (the call, or the refusal); see writeAcceptedBatch. */
export interface IdempotencyAnswer {
  tenantId: string;
  key: string;
  fingerprint: string;
  outcome: unknown;
}
