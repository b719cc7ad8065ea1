import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConsoleSession, ConsoleSignInInput } from '../../contract/console-session.ts';
import { PconnError } from '../../domain/pconn-error.ts';
import type { ConsoleSessions, ConsoleSignedIn } from '../../service/console/console-sessions.ts';
import type { TenantSettingsCache } from '../../service/tenancy/tenants.ts';
import { clearConsoleCookie, consoleCookie, setConsoleCookie } from '../console-cookie.ts';
import { routeSchema } from '../route-schema.ts';

/** What the console session routes need. */
export interface ConsoleSessionRouteDeps {
  sessions: ConsoleSessions;
  tenants: TenantSettingsCache;
}

const TAGS = ['Console'];
/** The header every console session request carries: a cross-site form or image cannot send it. */
const CONSOLE_HEADER = 'x-pconn-console';

/**
 * Refuses a session request that did not come from pconn's own pages. The cookie is already
 * SameSite=Strict; on top of that the request must carry X-Pconn-Console (which a cross-site
 * request can only send after a CORS preflight pconn never grants) and, when the browser sends
 * Origin, name this very host (OWASP CSRF: verifying origin with standard headers).
 */
function requireSameSite(request: FastifyRequest): void {
  if (request.headers[CONSOLE_HEADER] !== '1')
    throw new PconnError(
      'cross_site_request',
      'Console session requests must carry the header X-Pconn-Console: 1 (the console sends it).',
    );
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== request.headers.host)
    throw new PconnError(
      'cross_site_request',
      `This request came from ${JSON.stringify(origin).slice(0, 200)}, not from pconn's own pages.`,
    );
}

function answer(signedIn: ConsoleSignedIn): ConsoleSession {
  return { ...signedIn, tokenType: 'Bearer' };
}

/**
 * POST /console/session (sign in: sets the cookie), POST /console/session/token (a fresh access
 * token for the cookie's session) and DELETE /console/session (sign out). The console calls the
 * public API with those tokens like any client; the cookie itself opens nothing but these.
 */
export function registerConsoleSessionRoutes(app: FastifyInstance, deps: ConsoleSessionRouteDeps): void {
  app.post<{ Body: ConsoleSignInInput }>(
    '/console/session',
    {
      config: { scope: null },
      schema: routeSchema({
        operationId: 'signInToConsole',
        summary: 'Sign in to the console',
        description:
          'Checks the user’s console password (set by an admin with POST /v1/users/{id}/password) and opens a session: the answer sets an HTTP-only, SameSite=Strict cookie (Secure over HTTPS) and carries a first access token with the role’s scopes. Every failure is 401 `invalid_credentials`, whatever the reason. Failed sign-ins are budgeted per address (10, then one every 2 s) and per user (5, then one a minute): past that 429 `rate_limited`. Each attempt is in the audit trail of the tenant it names. Requires the header X-Pconn-Console: 1 (403 `cross_site_request` without it, or from another origin).',
        tags: TAGS,
        scope: null,
        body: ConsoleSignInInput,
        success: { 201: ConsoleSession },
        errors: [401, 403],
      }),
    },
    async (request, reply) => {
      requireSameSite(request);
      const tenantId = request.body.tenant ?? 'default';
      // Attributed to the tenant it names (when that tenant exists), so the tenant's admins see
      // sign-in attempts on their users in their own audit trail.
      if (await deps.tenants.get(tenantId))
        request.auditActor = { tenantId, clientId: `console:${request.body.user}` };
      const { secret, maxAgeSeconds, signedIn } = await deps.sessions.signIn({
        tenantId,
        userId: request.body.user,
        password: request.body.password,
        source: request.ip,
      });
      setConsoleCookie(request, reply, secret, maxAgeSeconds);
      reply.code(201).header('cache-control', 'no-store');
      return answer(signedIn);
    },
  );

  app.post(
    '/console/session/token',
    {
      config: { scope: null },
      schema: routeSchema({
        operationId: 'refreshConsoleToken',
        summary: 'Get a fresh access token for the console session',
        description:
          'Exchanges the session cookie for a new access token with the user’s current role’s scopes. 401 `console_session_required` when the cookie is missing or its session ended or expired. Requires the header X-Pconn-Console: 1.',
        tags: TAGS,
        scope: null,
        success: { 200: ConsoleSession },
        errors: [401, 403],
      }),
    },
    async (request, reply) => {
      requireSameSite(request);
      const signedIn = await deps.sessions.accessToken(consoleCookie(request));
      request.auditActor = { tenantId: signedIn.tenantId, clientId: `console:${signedIn.user.id}` };
      reply.header('cache-control', 'no-store');
      return answer(signedIn);
    },
  );

  app.delete(
    '/console/session',
    {
      config: { scope: null },
      schema: routeSchema({
        operationId: 'signOutOfConsole',
        summary: 'Sign out of the console',
        description:
          'Ends the cookie’s session (its access tokens stop working within seconds on every node) and clears the cookie. Signing out without a session is not an error. Requires the header X-Pconn-Console: 1.',
        tags: TAGS,
        scope: null,
        success: { 204: null },
        errors: [403],
      }),
    },
    async (request, reply) => {
      requireSameSite(request);
      await deps.sessions.signOut(consoleCookie(request));
      clearConsoleCookie(request, reply);
      return reply.code(204).send();
    },
  );
}
