import { sql } from 'kysely';
import { TERMINAL_STATUSES } from '../../domain/call-status.ts';
import { inWaitingPhase } from '../calls/call-phase.ts';
import type { CallRow } from '../calls/call-rows.ts';
import type { Db, Executor } from '../database.ts';
import type { SessionRow } from './session-rows.ts';

/*
 * What the dialer's preview round reads (issue 17): which of its sessions may be offered a call,
 * which offers lapsed, and which accepted offers it must dial now. An offer is accepted when its
 * session still names the call (`offered_call_id`) but no longer has an expiry.
 */

/**
 * Ids of `owner`'s sessions that could take a preview offer now (ready, agent available, none
 * offered), only in tenants with a running preview campaign: other tenants cost nothing.
 */
export async function offerableSessions(db: Executor, owner: string, limit: number): Promise<SessionRow[]> {
  const result = await sql<SessionRow>`
    select s.* from agent_sessions s
    where s.lease_owner = ${owner} and s.status = 'ready' and s.agent_state = 'available'
      and s.offered_call_id is null
      and exists (select 1 from campaigns cp where cp.tenant_id = s.tenant_id
        and cp.dialing_mode = 'preview' and cp.status = 'running')
    order by s.state_since, s.id
    limit ${limit}`.execute(db);
  return result.rows;
}

/**
 * Open sessions of `owner` whose offer is over, locked: it ran out by `now` (the deadline is in
 * the row), or its call ended meanwhile (canceled while offered or accepted: nothing to dial).
 */
export async function lockExpiredOffers(
  tx: Executor,
  owner: string,
  limit: number,
  now: Date,
): Promise<SessionRow[]> {
  const terminal = sql.join([...TERMINAL_STATUSES].map((s) => sql.lit(s)));
  const result = await sql<SessionRow>`
    select * from agent_sessions s
    where s.lease_owner = ${owner} and s.status <> 'ended' and s.agent_state = 'reserved'
      and s.offered_call_id is not null
      and (s.offer_expires_at <= ${now}::timestamptz
        or exists (select 1 from calls c where c.tenant_id = s.tenant_id and c.id = s.offered_call_id
          and c.status in (${terminal})))
    order by s.offer_expires_at
    limit ${limit}
    for update skip locked`.execute(tx);
  return result.rows;
}

/** An accepted offer's call, leased to the node holding the agent's leg, with its session. */
export interface AcceptedOffer {
  call: CallRow;
  sessionId: string;
  userId: string;
}

/**
 * Leases to `owner` the calls whose offer an agent of one of its ready sessions accepted (and
 * no other node leases), so this node dials them with that agent.
 */
export async function claimAcceptedOffers(
  db: Db,
  owner: string,
  limit: number,
  leaseSeconds: number,
  now: Date,
): Promise<AcceptedOffer[]> {
  const result = await sql<CallRow & { offer_session_id: string; offer_user_id: string }>`
    update calls c set lease_owner = ${owner},
      leased_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds}), updated_at = ${now}
    from agent_sessions s
    where s.tenant_id = c.tenant_id and s.offered_call_id = c.id
      and (c.tenant_id, c.id) in (
        select c2.tenant_id, c2.id from calls c2
        join agent_sessions s2 on s2.tenant_id = c2.tenant_id and s2.offered_call_id = c2.id
        where s2.lease_owner = ${owner} and s2.status = 'ready' and s2.agent_state = 'reserved'
          and s2.offer_expires_at is null and ${inWaitingPhase('c2')}
          and (c2.leased_until is null or c2.leased_until < ${now}::timestamptz)
        limit ${limit}
        for update of c2 skip locked)
      and s.status <> 'ended'
    returning c.*, s.id as offer_session_id, s.user_id as offer_user_id`.execute(db);
  return result.rows.map(({ offer_session_id, offer_user_id, ...call }) => ({
    call: call as CallRow,
    sessionId: offer_session_id,
    userId: offer_user_id,
  }));
}
