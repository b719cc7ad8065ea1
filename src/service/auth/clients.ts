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
 * Creates an OAuth client in `tenantId`. `allowSystem` is true only for callers that hold
 * `system` themselves: nobody can mint a scope above their own.
 */
export async function createClient(
  db: Executor,
  input: { tenantId: string; name: string; scopes: string[]; clientId?: string; clientSecret?: string },
  allowSystem: boolean,
): Promise<CreatedClient> {
  const errors = input.scopes.flatMap((scope, index) => {
    if (!isScope(scope)) {
      return [{ pointer: `/scopes/${index}`, code: 'enum' as const, detail: `Unknown scope '${scope}'.` }];
    }
    if (scope === 'system' && !allowSystem) {
      return [
        {
          pointer: `/scopes/${index}`,
          code: 'enum' as const,
          detail: "Only a 'system' client can grant 'system'.",
        },
      ];
    }
    return [];
  });
  if (errors.length > 0)
    throw new InvalidInputError('invalid_request', 'The client has invalid scopes.', { errors });
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
