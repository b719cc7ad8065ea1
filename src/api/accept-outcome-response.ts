import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AcceptOutcome } from '../service/calls/accept-outcome.ts';
import { type ProblemOptions, sendProblem } from './problem-response.ts';

/**
 * Renders the accept use case's outcome, the only place its HTTP form lives: 202 with the call
 * and `Location` for an accepted call, the problem for a refusal, 200 with the decision for a
 * dry run; `Idempotent-Replayed: true` when the answer is the key's stored one.
 */
export function sendAcceptOutcome(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: AcceptOutcome,
  options: ProblemOptions,
): FastifyReply {
  if (outcome.kind === 'dry_run') return reply.code(200).send(outcome.result);
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  if (outcome.kind === 'refused') return sendProblem(request, reply, outcome.error, options);
  return reply.code(202).header('location', `/v1/calls/${outcome.call.id}`).send(outcome.call);
}
