import { AuthError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { Scope } from '../../domain/scopes.ts';

/*
 * Agents work their own session (issue 17): a console agent's token carries only read scopes,
 * yet its user pauses, resumes, takes or skips offers and records dispositions. The routes ask
 * for the read scope; this check then lets through a token holding one of the write scopes (clients,
 * supervisors, admins: any session of the tenant) or the console user the session belongs to.
 * Same tenant but someone else's session is 403 `insufficient_scope` (not 404: agents read
 * every session of their tenant through `users:read` anyway); another tenant's is 404 before.
 */

/** Throws 403 unless the caller holds one of `writeScopes` or is the console user `userId`. */
export function assertActsFor(
  ctx: RequestContext,
  userId: string,
  writeScopes: readonly Scope[],
  what: string,
): void {
  const { principal } = ctx;
  if (writeScopes.some((scope) => principal.scopes.has(scope))) return;
  if (principal.userId !== undefined && principal.userId === userId) return;
  throw new AuthError(
    'insufficient_scope',
    `An agent acts only on their own ${what}; this one is '${userId}'s. Acting on another agent's needs one of: ${writeScopes.join(', ')}.`,
    { extensions: { requiredScopes: [...writeScopes], grantedScopes: [...principal.scopes] } },
  );
}
