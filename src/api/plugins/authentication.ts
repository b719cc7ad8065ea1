import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError, PconnError } from '../../domain/pconn-error.ts';
import type { Principal, RequestContext } from '../../domain/request-context.ts';
import type { TokenService } from '../../service/auth/token-service.ts';
import type { TenantSettingsCache } from '../../service/tenancy/tenants.ts';
import type { RateLimiter } from './rate-limiter.ts';

/**
 * onRequest: authenticate the bearer token (signature, claims, client and tenant) and check the
 * route's scope before the body is even read (the contract's check order: authentication, scope,
 * then media type and body), then apply the client's rate limit.
 *
 * Requests that cannot authenticate — no token, a token that fails its checks, a route that does
 * not exist — spend their source address's own budget (`unauthenticatedLimiter`): past it they
 * get 429 `rate_limited` at once. A request without a token is charged before anything else; a
 * token is verified first (a signature check, no database) and its request charged only when it
 * fails, so a valid client sharing an address (NAT, a proxy) with a flood is never refused by it.
 * Before this, token-less floods were answered 401 one by one (60 of 60 at 5/s), each with an
 * audit entry of its own.
 */
export function registerAuthentication(
  app: FastifyInstance,
  deps: {
    tokens: TokenService;
    tenants: TenantSettingsCache;
    limiter: RateLimiter;
    /** Per source address, for requests that fail authentication; absent: no such budget. */
    unauthenticatedLimiter?: RateLimiter;
    now: () => Date;
  },
): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('context', function (this: FastifyRequest): Promise<RequestContext> {
    const principal = this.principal;
    if (!principal)
      return Promise.reject(new AuthError('missing_token', 'This route needs an access token.'));
    // Settings fresh in the cache (nearly always: authentication just looked them up): no store
    // read and no async function to run.
    const cached = deps.tenants.cached(principal.tenantId);
    if (cached)
      return Promise.resolve({
        principal,
        tenant: cached,
        requestId: this.id,
        now: deps.now(),
        traceContext: this.traceContext,
      });
    return contextOf(this, principal);
  });

  async function contextOf(request: FastifyRequest, principal: Principal): Promise<RequestContext> {
    const tenant = await deps.tenants.get(principal.tenantId);
    if (!tenant)
      throw new AuthError(
        'invalid_token',
        `The token names tenant '${principal.tenantId}', which does not exist.`,
      );
    return { principal, tenant, requestId: request.id, now: deps.now(), traceContext: request.traceContext };
  }

  // Callback style: a request whose token this node verified already, and whose tenant's
  // settings are cached, is authenticated without a promise or a microtask (every request).
  app.addHook('onRequest', (request, _reply, done) => {
    let settled: boolean;
    try {
      settled = authenticatedNow(request);
    } catch (error) {
      done(withAuditLink(error, request.id) as Error);
      return;
    }
    if (settled) done();
    else
      authenticate(request).then(
        () => done(),
        (error: unknown) => done(withAuditLink(error, request.id) as Error),
      );
  });

  /**
   * Authenticates `request` from what is already known on this node — the checks `authenticate`
   * runs, in its order, for a route without a scope, a missing or malformed header, or a token
   * verified before whose tenant is cached. False when that needs a wait (verification, a store
   * read): then `authenticate` runs. Throws what `authenticate` would throw.
   */
  function authenticatedNow(request: FastifyRequest): boolean {
    const scope = request.routeOptions.config.scope;
    const header = request.headers.authorization;
    if (scope === null || scope === undefined || !header) return false;
    const token = BEARER.exec(header)?.[1];
    if (!token) return false;
    const principal = deps.tokens.verifiedNow(token);
    if (!principal || !deps.tenants.cached(principal.tenantId)) return false;
    authorize(request, principal, scope);
    return true;
  }

  /** The principal of a valid `Bearer` header; throws AuthError (401) for anything else. */
  async function verifiedPrincipal(header: string) {
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      throw new AuthError('invalid_token', "The Authorization header must be 'Bearer <token>'.");
    }
    const principal = await deps.tokens.verify(match[1]);
    // The tenant is part of authentication: a token naming a tenant that does not exist is a
    // 401 before any scope check, and its audit entry stays in the tenant-less chain.
    if (!(await deps.tenants.get(principal.tenantId))) {
      throw new AuthError(
        'invalid_token',
        `The token names tenant '${principal.tenantId}', which does not exist.`,
      );
    }
    return principal;
  }

  /** Spends one unit of the address's unauthenticated budget, or refuses the request (429). */
  function chargeUnauthenticated(request: FastifyRequest): void {
    if (!deps.unauthenticatedLimiter) return;
    const wait = deps.unauthenticatedLimiter.take(`ip:${request.ip}`);
    if (wait > 0) throw refusedUnauthenticated(wait);
  }

  async function authenticate(request: FastifyRequest): Promise<void> {
    const scope = request.routeOptions.config.scope;
    if (scope === null || scope === undefined) {
      if (request.routeOptions.config.audit !== false) {
        // No such route: nothing to authenticate for, and as cheap to send as a token-less request.
        if (request.routeOptions.url === undefined) chargeUnauthenticated(request);
        limit(deps.limiter, `ip:${request.ip}`);
      }
      return;
    }
    const header = request.headers.authorization;
    if (!header) {
      chargeUnauthenticated(request);
      throw new AuthError(
        'missing_token',
        'Send Authorization: Bearer <token>; get one from POST /oauth/token.',
      );
    }
    const principal = await verifiedPrincipal(header).catch((error: unknown) => {
      // A token that fails its checks is an unauthenticated request; a store that cannot be
      // reached (503) is not the client's doing and costs it nothing.
      if (error instanceof AuthError) chargeUnauthenticated(request);
      throw error;
    });
    authorize(request, principal, scope);
  }

  /** Sets the request's principal, then checks the route's scope and the client's rate limit. */
  function authorize(request: FastifyRequest, principal: Principal, scope: string): void {
    request.principal = principal;
    if (!principal.scopes.has(scope)) {
      throw new AuthError(
        'insufficient_scope',
        `This route needs the '${scope}' scope; the token has: ${[...principal.scopes].join(' ') || '(none)'}.`,
        {
          extensions: { requiredScopes: [scope], grantedScopes: [...principal.scopes] },
        },
      );
    }
    limit(deps.limiter, `client:${principal.clientId}`);
  }
}

/** `Bearer <token>` (RFC 6750 §2.1), the token captured. */
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * A 401's audit entry belongs to no tenant: the problem says where it is and who may read it,
 * so the client can hand the link to an operator (extension `auditEntry`).
 */
function withAuditLink(error: unknown, requestId: string): unknown {
  if (!(error instanceof PconnError) || (error.code !== 'missing_token' && error.code !== 'invalid_token'))
    return error;
  return new AuthError(error.code, error.detail, {
    retryable: error.retryable,
    cause: error,
    extensions: {
      ...error.extensions,
      auditEntry: {
        href: `/v1/audit-events?chain=unauthenticated&requestId=${requestId}`,
        requestId,
        requiredScopes: ['audit:read', 'system'],
        note: 'This request is audited in the unauthenticated chain, readable by a client with the system scope.',
      },
    },
  });
}

/**
 * The 429 of a request refused by its address's unauthenticated budget. Made without a stack
 * trace: under a flood it is the one answer given thousands of times a second, and capturing
 * the stack was its costliest step of our own (180 ms of CPU per 20,000 refusals, profiled).
 */
function refusedUnauthenticated(waitSeconds: number): PconnError {
  const depth = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new PconnError(
      'rate_limited',
      `Too many requests without a valid access token from this address; retry in ${Math.ceil(waitSeconds)} s. Get a token from POST /oauth/token.`,
      { retryAfterSeconds: waitSeconds, retryable: true },
    );
  } finally {
    Error.stackTraceLimit = depth;
  }
}

function limit(limiter: RateLimiter, key: string): void {
  const wait = limiter.take(key);
  if (wait > 0) {
    throw new PconnError('rate_limited', `Too many requests; retry in ${Math.ceil(wait)} s.`, {
      retryAfterSeconds: wait,
      retryable: true,
    });
  }
}
