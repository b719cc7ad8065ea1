import { type RawBuilder, sql } from 'kysely';
import { inWaitingPhase } from '../calls/call-phase.ts';
import type { Executor } from '../database.ts';

/**
 * Which node should ring a tenant's registered `username`: `undefined` when `nodeId` itself
 * holds a live binding of it, or when no alive node holds one (the asking node dials, and an
 * unregistered phone ends as today: 480, `agent_no_answer`); otherwise the alive node holding
 * the best binding (highest q, then the most recently refreshed), whose flow reaches the phone.
 */
export async function registrationHolder(
  db: Executor,
  tenantId: string,
  username: string,
  nodeId: string,
  now: Date,
): Promise<string | undefined> {
  const result = await sql<{ node_id: string }>`
    select b.node_id from sip_bindings b
    join pconn_nodes n on n.id = b.node_id and n.alive_until > ${now}::timestamptz
    where b.tenant_id = ${tenantId} and b.username = ${username} and b.expires_at > ${now}::timestamptz
    order by (b.node_id = ${nodeId}) desc, b.q desc, b.updated_at desc
    limit 1`.execute(db);
  const holder = result.rows[0]?.node_id;
  return holder === nodeId ? undefined : holder;
}

/**
 * Hands a claimed call to the node that holds its agent's binding: the lease is released and
 * `dial_node` names that node, which claims it on its next round ({@link notHandedToOthers}).
 * Only while `owner` still holds the call. False when it no longer did.
 */
export async function handCallTo(
  db: Executor,
  call: { tenantId: string; id: string; owner: string },
  nodeId: string,
  now: Date,
): Promise<boolean> {
  const result = await sql`update calls set dial_node = ${nodeId}, lease_owner = null, leased_until = null,
      updated_at = ${now}
    where tenant_id = ${call.tenantId} and id = ${call.id} and lease_owner = ${call.owner}
      and ${inWaitingPhase()}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * Claim filter (an `and …` clause over the calls alias `c`): calls handed to another node are
 * left to it while it is alive; once its heartbeat lapses (killed) any node takes them.
 */
export function notHandedToOthers(owner: string, now: Date): RawBuilder<unknown> {
  return sql`and (c.dial_node is null or c.dial_node = ${owner} or not exists (
      select 1 from pconn_nodes n where n.id = c.dial_node and n.alive_until > ${now}::timestamptz))`;
}

/**
 * Claim filter for personal-connection sessions (an `and …` clause over the sessions alias
 * `s`): a session whose agent's registered phone is bound only through other alive nodes is
 * left to them, since its agent leg must leave from the node holding the phone's flow.
 */
export function sessionPhoneReachable(owner: string, now: Date): RawBuilder<unknown> {
  const bound = (mine: boolean) => sql`exists (select 1 from users u
      join sip_bindings b on b.tenant_id = u.tenant_id
        and b.username = coalesce(u.data->'device'->>'username', u.id) and b.expires_at > ${now}::timestamptz
      join pconn_nodes n on n.id = b.node_id and n.alive_until > ${now}::timestamptz
      where u.tenant_id = s.tenant_id and u.id = s.user_id and u.data->'device'->>'type' = 'registered'
        and ${mine ? sql`b.node_id = ${owner}` : sql`b.node_id <> ${owner}`})`;
  return sql`and (${bound(true)} or not ${bound(false)})`;
}
