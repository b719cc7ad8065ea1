import type { Principal, RequestContext } from '../domain/request-context.ts';
import type { Scope } from '../domain/scopes.ts';
import type { RouteKind } from './field-hints.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope the route needs; null = public (no token). */
    scope?: Scope | null;
    /** Which hint set applies to unknown body fields. */
    routeKind?: RouteKind;
    /** False for routes kept out of the audit trail (health, docs, metrics). */
    audit?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The body as received, for the audit digest (JSON and form bodies). */
    rawBody?: string;
    /** The problem code the request failed with, if any. */
    problemCode?: string;
    /** The problem+json body answered, kept for the audit entry (so `pconn explain` is exact). */
    problemBody?: Record<string, unknown>;
    /**
     * Who an unauthenticated request speaks for in the audit trail (a console sign-in names
     * its tenant and user); set only for a tenant that exists.
     */
    auditActor?: { tenantId: string; clientId: string };
    /** The request's use-case context (tenant settings loaded). */
    context(): Promise<RequestContext>;
  }
}
