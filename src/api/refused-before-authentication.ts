import type { FastifyRequest } from 'fastify';

/**
 * A request refused with 429 before it authenticated (no usable token, its address past the
 * unauthenticated budget, or the token endpoint's failed-secret budget). A flood is thousands of
 * these a second: they get no audit entry and no log line of their own, only the per-address
 * summary (service/audit/refusal-summaries.ts), so neither the audit trail nor the log grows
 * with the flood.
 */
export function refusedBeforeAuthentication(request: FastifyRequest): boolean {
  return !request.principal && request.problemCode === 'rate_limited';
}
