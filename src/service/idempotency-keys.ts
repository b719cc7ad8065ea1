import { ConflictError, PolicyRefusalError } from '../domain/pconn-error.ts';
import type { Db } from '../store/database.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from '../store/idempotency-keys.ts';

/** How long a key and its answer are kept (24 h). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
// A first request that has held its key this long has died (crash): a retry may take over.
const STALE_IN_FLIGHT_MS = 60_000;

/** What to do with a request that carries an Idempotency-Key. */
export type IdempotencyStart = { action: 'run' } | { action: 'replay'; status: number; body: unknown };

/**
 * Claims an Idempotency-Key for a request (IETF httpapi draft semantics), in the database so it
 * holds across nodes: the first request runs; the same key and fingerprint later replays the
 * stored answer; another fingerprint is 422 `idempotency_key_reused`; while the first still
 * runs, 409 `idempotency_in_flight` (a claim older than a minute is taken over).
 */
export async function startIdempotentRequest(
  db: Db,
  tenantId: string,
  key: string,
  fingerprint: string,
): Promise<IdempotencyStart> {
  let record = await claimIdempotencyKey(db, tenantId, key, fingerprint, IDEMPOTENCY_TTL_SECONDS);
  if (record.state === 'in_flight' && Date.now() - record.createdAt.getTime() > STALE_IN_FLIGHT_MS) {
    await releaseIdempotencyKey(db, tenantId, key);
    record = await claimIdempotencyKey(db, tenantId, key, fingerprint, IDEMPOTENCY_TTL_SECONDS);
  }
  if (record.state !== 'new' && record.fingerprint !== fingerprint) {
    throw new PolicyRefusalError(
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request (method, path or body); use a new key.',
    );
  }
  if (record.state === 'in_flight') {
    throw new ConflictError(
      'idempotency_in_flight',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      {
        retryable: true,
        retryAfterSeconds: 1,
      },
    );
  }
  if (record.state === 'done') return { action: 'replay', status: record.status, body: record.body };
  return { action: 'run' };
}

/** Stores the answer of the request holding the key, for replays. */
export function finishIdempotentRequest(
  db: Db,
  tenantId: string,
  key: string,
  status: number,
  body: unknown,
): Promise<void> {
  return completeIdempotencyKey(db, tenantId, key, status, body);
}

/** Frees the key of a request that failed unexpectedly, so a retry runs again. */
export function abandonIdempotentRequest(db: Db, tenantId: string, key: string): Promise<void> {
  return releaseIdempotencyKey(db, tenantId, key);
}
