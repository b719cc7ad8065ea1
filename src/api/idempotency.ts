import { hash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { canonicalJson } from '../contract/canonical-json.ts';
import { InvalidInputError } from '../domain/pconn-error.ts';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The request's Idempotency-Key (IETF httpapi draft) and its fingerprint (method + path +
 * canonical body), or undefined without one (or without a tenant). A malformed key is 400. The
 * accept use case stores the key's answer with the call, atomically, and replays it.
 */
export function idempotencyKeyOf(request: FastifyRequest): { key: string; fingerprint: string } | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined || !request.principal?.tenantId) return undefined;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new InvalidInputError(
      'invalid_request',
      'The Idempotency-Key header must be 1–255 visible ASCII characters (a UUID is ideal).',
    );
  }
  const fingerprint = hash(
    'sha256',
    `${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`,
    'hex',
  );
  return { key, fingerprint };
}
