import { newId } from '../../domain/ids.ts';
import { AuthError, InvalidInputError, NotFoundError } from '../../domain/pconn-error.ts';
import { isScope } from '../../domain/scopes.ts';
import { type ClientRow, findClient, insertClient, listClients, revokeClient } from '../../store/clients.ts';
import type { Executor } from '../../store/database.ts';
import { findTenant } from '../../store/tenants.ts';
import { hashSecret, newSecret } from './secret-hash.ts';

/** A client with its secret, as returned once at creation. */
export interface CreatedClient {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  name: string;
  scopes: string[];
}

/**
 * Creates an OAuth client in `tenantId`. `grantable` is what the caller may hand out: the
 * scopes it holds itself (without `system` on the tenant admin's route), so nobody mints a
 * client stronger than themselves. Unknown scopes are 400 `invalid_request` (a schema-like
 * mistake); scopes the caller lacks are 403 `insufficient_scope` naming them, like GitHub's
 * "token cannot grant what it does not have".
 */
export async function createClient(
  db: Executor,
  input: { tenantId: string; name: string; scopes: string[]; clientId?: string; clientSecret?: string },
  grantable: ReadonlySet<string>,
): Promise<CreatedClient> {
  const errors = input.scopes.flatMap((scope, index) =>
    isScope(scope)
      ? []
      : [{ pointer: `/scopes/${index}`, code: 'enum' as const, detail: `Unknown scope '${scope}'.` }],
  );
  if (errors.length > 0)
    throw new InvalidInputError('invalid_request', 'The client has invalid scopes.', { errors });
  const lacking = input.scopes.filter((scope) => !grantable.has(scope));
  if (lacking.length > 0) {
    const system = lacking.includes('system')
      ? " 'system' is granted only through POST /v1/tenants/{id}/clients, by a client holding it."
      : '';
    throw new AuthError(
      'insufficient_scope',
      `A client can only grant scopes it holds itself; it lacks: ${lacking.join(' ')}.${system}`,
      { extensions: { requiredScopes: lacking, grantedScopes: [...grantable] } },
    );
  }
  if (!(await findTenant(db, input.tenantId))) throw new NotFoundError('tenant', input.tenantId);
  const clientSecret = input.clientSecret ?? newSecret();
  const row = await insertClient(db, {
    tenantId: input.tenantId,
    id: input.clientId ?? newId('client'),
    name: input.name,
    secretHash: await hashSecret(clientSecret),
    scopes: input.scopes,
  });
  return { clientId: row.id, clientSecret, tenantId: row.tenantId, name: row.name, scopes: row.scopes };
}

/** A tenant's clients (never with secrets). */
export function listTenantClients(db: Executor, tenantId: string): Promise<ClientRow[]> {
  return listClients(db, tenantId);
}

/**
 * Revokes a client of the tenant: its tokens stop working within the auth cache's lifetime.
 * A client holding `system` can only be revoked by a caller holding `system` too, so a tenant
 * admin cannot lock the operator out.
 */
export async function revokeTenantClient(
  db: Executor,
  tenantId: string,
  clientId: string,
  callerHasSystem: boolean,
  now: Date,
): Promise<ClientRow> {
  const target = await findClient(db, clientId);
  if (!target || target.tenantId !== tenantId) throw new NotFoundError('client', clientId);
  if (target.scopes.includes('system') && !callerHasSystem) {
    throw new AuthError(
      'insufficient_scope',
      "Revoking a client that holds 'system' needs the 'system' scope.",
      {
        extensions: { requiredScopes: ['system'] },
      },
    );
  }
  const row = await revokeClient(db, tenantId, clientId, now);
  if (!row) throw new NotFoundError('client', clientId);
  return row;
}
