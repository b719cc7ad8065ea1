import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../contract/audit-chain.ts';
import { InvalidInputError, PconnError } from '../domain/pconn-error.ts';
import {
  abandonIdempotentRequest,
  finishIdempotentRequest,
  startIdempotentRequest,
} from '../service/idempotency-keys.ts';
import type { Db } from '../store/database.ts';
import { type ProblemOptions, renderProblem } from './problem-response.ts';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key (IETF httpapi draft) around a create route: the fingerprint is method + path
 * + canonical body; the same key and body replays the first response with
 * `Idempotent-Replayed: true`; a different body is 422 `idempotency_key_reused`; while the
 * first is still running, 409 `idempotency_in_flight`. The key is claimed in the database, so
 * this holds across nodes. 4xx answers are stored and replayed too; 5xx release the key.
 */
export async function withIdempotency(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  options: ProblemOptions,
  run: () => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>,
): Promise<FastifyReply> {
  const claim = idempotencyKeyOf(request);
  const tenantId = request.principal?.tenantId;
  if (!claim || !tenantId) return respond(reply, await runOrProblem(request, options, run));
  const { key, fingerprint } = claim;
  const start = await startIdempotentRequest(db, tenantId, key, fingerprint);
  if (start.action === 'replay') {
    reply.header('idempotent-replayed', 'true');
    return respond(reply, { status: start.status, body: start.body, problem: start.status >= 400 });
  }
  try {
    const result = await runOrProblem(request, options, run);
    await finishIdempotentRequest(db, tenantId, key, result.status, result.body);
    return respond(reply, result);
  } catch (error) {
    await abandonIdempotentRequest(db, tenantId, key);
    throw error;
  }
}

/** A response to send: a success, or a problem rendered ahead (so it can be stored with a key). */
export type Outcome = { status: number; body: unknown; headers?: Record<string, string>; problem?: boolean };

/**
 * The request's Idempotency-Key and fingerprint (method + path + canonical body), or undefined
 * without one (or without a tenant). A malformed key is 400.
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
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');
  return { key, fingerprint };
}

/** A client mistake rendered as the outcome to send (and store with a key). */
export function problemOutcome(request: FastifyRequest, error: PconnError, options: ProblemOptions): Outcome {
  const problem = renderProblem(request, error, options);
  return { status: problem.status, body: problem.body, headers: problem.headers, problem: true };
}

async function runOrProblem(
  request: FastifyRequest,
  options: ProblemOptions,
  run: () => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>,
): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    // Client mistakes are part of the idempotent answer: render them now so they can be stored.
    if (!(error instanceof PconnError) || error.code === 'internal' || error.code === 'unavailable')
      throw error;
    return problemOutcome(request, error, options);
  }
}

/** Sends an outcome (problems as application/problem+json). */
export function respond(reply: FastifyReply, outcome: Outcome): FastifyReply {
  if (outcome.headers) reply.headers(outcome.headers);
  reply.code(outcome.status);
  if (outcome.problem)
    reply.type('application/problem+json').serializer((payload: unknown) => JSON.stringify(payload));
  return reply.send(outcome.body);
}
