import type { CallRow } from '../store/calls/call-rows.ts';
import type { Db } from '../store/database.ts';
import { handCallTo, registrationHolder } from '../store/registrations/registration-holder.ts';
import type { SelectedAgent } from './agent-selection.ts';

/**
 * A registered softphone is reachable only through the node whose registrar holds its flow (its
 * NAT mapping, its TCP/TLS connection: RFC 5626's connection reuse). When the agent picked for a
 * claimed call is bound through another alive node, the call is handed to that node instead of
 * dialled here, and true is returned (the caller stops: the call is not ours any more). A
 * session's leg is already up on this node; no live binding anywhere dials here as before (480).
 */
export async function handedToHolder(
  db: Db,
  call: CallRow,
  agent: SelectedAgent,
  now: Date,
): Promise<boolean> {
  const owner = call.lease_owner;
  if (agent.target.kind !== 'registered' || agent.sessionId || !owner) return false;
  const holder = await registrationHolder(db, call.tenant_id, agent.target.username, owner, now);
  if (!holder) return false;
  await handCallTo(db, { tenantId: call.tenant_id, id: call.id, owner }, holder, now);
  return true;
}
