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
  const result = await idempotencyLookupStatement(keys, now).execute(db);
  for (const row of result.rows)
    found.set(`${row.tenant_id}/${row.key}`, { fingerprint: row.fingerprint, outcome: row.outcome });
  return found;
}

/**
 * findIdempotencyAnswers' statement: one primary-key probe per key, whatever the statistics. As a
 * plain join, the generic plan a prepared statement settles on (the keys' count unknown,
 * `expires_at > $2` a third of the table) was measured hashing the keys against an index scan
 * of every unexpired key: 3 ms a batch at 27,000 keys, growing with the table. A lateral
 * subquery with a limit cannot be flattened into such a join. Exported for its plan's test.
 */
export function idempotencyLookupStatement(keys: readonly IdempotencyKeyRef[], now: Date) {
  const wanted = JSON.stringify(keys.map((k) => ({ t: k.tenantId, k: k.key })));
  return sql<{ tenant_id: string; key: string; fingerprint: string; outcome: unknown }>`
    select i.tenant_id, i.key, i.fingerprint, i.outcome
    from jsonb_to_recordset(${wanted}::jsonb) as w(t text, k text)
    cross join lateral (
      select tenant_id, key, fingerprint, outcome, expires_at from idempotency_keys
      where tenant_id = w.t and key = w.k
      limit 1
    ) i
    where i.expires_at > ${now}`;
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
