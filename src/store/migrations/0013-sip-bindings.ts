import { type Kysely, sql } from 'kysely';

/**
 * Registrations shared by the nodes (issue 15 point 4).
 * - pconn_nodes: one row per running node with the SIP driver and the dialer, its id being the
 *   dialer's lease owner; `alive_until` is pushed forward by a heartbeat, so a node killed
 *   with SIGKILL stops counting as alive one dialer lease later.
 * - sip_bindings: the softphone bindings every node's registrar accepted (AOR = tenant and
 *   username → contact), with the node that received the REGISTER and holds the phone's flow
 *   (its source host:port, its TCP/TLS connection), so another node knows who can ring it.
 * - calls.dial_node: a call handed to the node that holds its agent's binding; other nodes
 *   leave it alone while that node is alive.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table pconn_nodes (
      id text primary key,
      alive_until timestamptz not null,
      started_at timestamptz not null
    )`.execute(db);
  await sql`
    create table sip_bindings (
      tenant_id text not null,
      username text not null,
      contact text not null,
      node_id text not null,
      transport text not null,
      source text,
      q real not null,
      expires_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (tenant_id, username, contact)
    )`.execute(db);
  await sql`create index sip_bindings_node on sip_bindings (node_id)`.execute(db);
  await sql`create index sip_bindings_expiry on sip_bindings (expires_at)`.execute(db);
  await sql`alter table calls add column dial_node text`.execute(db);
}
