import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** One binding as a node's registrar holds it. */
export interface StoredBinding {
  contact: string;
  q: number;
  expiresAt: Date;
  updatedAt: Date;
}

/** What one REGISTER changed for a tenant's username, as received by node `nodeId`. */
export interface BindingWrite {
  tenantId: string;
  username: string;
  nodeId: string;
  /** `udp`, `tcp` or `tls`: the flow the node holds. */
  transport: string;
  /** The phone's `host:port` as the node saw it (its NAT mapping for UDP). */
  source: string | null;
  /** Contacts added or refreshed (a contact another node held moves to this one). */
  saved: readonly StoredBinding[];
  /** Contacts removed (expiry 0). */
  removed: readonly string[];
  /** `Contact: *` with Expires 0: every binding of the username goes, on every node. */
  removedAll: boolean;
}

/**
 * Mirrors one REGISTER into the store in one statement per kind of change, so every node sees
 * who holds the phone. A refreshed or re-registered contact is taken over by the writing node:
 * the phone's latest REGISTER came through it, so its flow is there now.
 */
export async function saveBindings(db: Executor, write: BindingWrite): Promise<void> {
  const { tenantId, username } = write;
  if (write.removedAll)
    await sql`delete from sip_bindings where tenant_id = ${tenantId} and username = ${username}`.execute(db);
  else if (write.removed.length > 0)
    await sql`delete from sip_bindings where tenant_id = ${tenantId} and username = ${username}
      and contact = any(${[...write.removed]}::text[])`.execute(db);
  if (write.saved.length === 0) return;
  const rows = JSON.stringify(
    write.saved.map((binding) => ({
      contact: binding.contact,
      q: binding.q,
      expires_at: binding.expiresAt.toISOString(),
      updated_at: binding.updatedAt.toISOString(),
    })),
  );
  await sql`
    insert into sip_bindings (tenant_id, username, contact, node_id, transport, source, q, expires_at, updated_at)
    select ${tenantId}, ${username}, r.contact, ${write.nodeId}, ${write.transport}, ${write.source}, r.q, r.expires_at, r.updated_at
    from jsonb_to_recordset(${rows}::jsonb) as r(contact text, q real, expires_at timestamptz, updated_at timestamptz)
    on conflict (tenant_id, username, contact) do update set node_id = excluded.node_id,
      transport = excluded.transport, source = excluded.source, q = excluded.q,
      expires_at = excluded.expires_at, updated_at = excluded.updated_at`.execute(db);
}
