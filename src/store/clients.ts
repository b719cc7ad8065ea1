import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** An OAuth client as stored (secret as hash only). */
export interface ClientRow {
  tenantId: string;
  id: string;
  name: string;
  secretHash: string;
  scopes: string[];
  status: 'active' | 'revoked';
  createdAt: Date;
  revokedAt: Date | null;
}

/** Finds a client by id across tenants (client ids are globally unique). */
export async function findClient(db: Executor, id: string): Promise<ClientRow | undefined> {
  const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toClient(row);
}

/** Inserts a client. */
export async function insertClient(
  db: Executor,
  client: { tenantId: string; id: string; name: string; secretHash: string; scopes: string[] },
): Promise<ClientRow> {
  const row = await db
    .insertInto('clients')
    .values({
      tenant_id: client.tenantId,
      id: client.id,
      name: client.name,
      secret_hash: client.secretHash,
      scopes: JSON.stringify(client.scopes),
      status: 'active',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toClient(row);
}

/** A tenant's clients, oldest first. */
export async function listClients(db: Executor, tenantId: string): Promise<ClientRow[]> {
  const rows = await db
    .selectFrom('clients')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toClient);
}

/**
 * Revokes a tenant's client; returns the row, or undefined when it is not the tenant's. The
 * same statement bumps the revocation generation (auth_generation), which tells every node to
 * forget the tokens it has verified: the revoked client's stop working within its recheck.
 */
export async function revokeClient(
  db: Executor,
  tenantId: string,
  id: string,
  now: Date,
): Promise<ClientRow | undefined> {
  const row = await db
    .with('revoked', (q) =>
      q
        .updateTable('clients')
        .set({ status: 'revoked', revoked_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll(),
    )
    .with('bumped', (q) =>
      q
        .updateTable('auth_generation')
        .set({ generation: sql`generation + 1` })
        .where('id', '=', 1)
        .where(sql<boolean>`exists (select 1 from revoked)`)
        .returning('generation'),
    )
    .selectFrom('revoked')
    .selectAll()
    .executeTakeFirst();
  return row && toClient(row);
}

function toClient(row: {
  tenant_id: string;
  id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  status: 'active' | 'revoked';
  created_at: Date;
  revoked_at: Date | null;
}): ClientRow {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    scopes: row.scopes,
    status: row.status,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
