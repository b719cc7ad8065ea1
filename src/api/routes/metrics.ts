import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError } from '../../domain/pconn-error.ts';
import type { PconnMetrics } from '../../observability/metrics.ts';
import type { TokenService } from '../../service/auth/token-service.ts';

/** Who may scrape `GET /metrics` (PCONN_METRICS / PCONN_METRICS_TOKEN). */
export interface MetricsAccess {
  access: 'public' | 'token' | 'off';
  token?: string;
}

/**
 * `GET /metrics` in the Prometheus text format. `public`: anyone who reaches the port (the
 * usual setup behind a private network); `token`: a bearer that is either the static
 * PCONN_METRICS_TOKEN (for a Prometheus `authorization` block) or an access token with the
 * `admin` scope; `off`: the route does not exist (404). Kept out of the audit trail, the rate
 * limit and the OpenAPI document, like the health probes.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  deps: { metrics: PconnMetrics; tokens: TokenService; access: MetricsAccess },
): void {
  if (deps.access.access === 'off') return;
  const staticDigest = deps.access.token ? digest(deps.access.token) : undefined;
  app.get(
    '/metrics',
    { config: { scope: null, audit: false }, schema: { hide: true } },
    async (request, reply) => {
      if (deps.access.access === 'token') await authorize(request, deps.tokens, staticDigest);
      const { contentType, body } = await deps.metrics.render();
      return reply.type(contentType).send(body);
    },
  );
}

async function authorize(
  request: FastifyRequest,
  tokens: TokenService,
  staticDigest?: Buffer,
): Promise<void> {
  const header = request.headers.authorization;
  if (!header)
    throw new AuthError(
      'missing_token',
      'GET /metrics needs Authorization: Bearer <PCONN_METRICS_TOKEN or an access token with the admin scope>.',
    );
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AuthError('invalid_token', "The Authorization header must be 'Bearer <token>'.");
  // Digests have equal lengths, so the comparison time says nothing about the token.
  if (staticDigest && timingSafeEqual(digest(match[1]), staticDigest)) return;
  const principal = await tokens.verify(match[1]);
  if (!principal.scopes.has('admin')) {
    throw new AuthError('insufficient_scope', "GET /metrics needs the 'admin' scope.", {
      extensions: { requiredScopes: ['admin'], grantedScopes: [...principal.scopes] },
    });
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
