import { sql } from 'kysely';
import { inWaitingPhase } from '../calls/call-phase.ts';
import type { CallRow } from '../calls/call-rows.ts';
import type { Executor } from '../database.ts';
import type { SessionRow } from './session-rows.ts';

/*
 * The SQL half of preview offers (issue 17): which session may be offered a call, and which
 * call it is offered. Both lock with FOR UPDATE SKIP LOCKED inside the caller's transaction, so
 * two claims running at once (two nodes, or two sessions of one node) never take the same
 * session or the same call; the unique index agent_sessions_one_offer backs that up.
 */

/** The session, locked, when it can take an offer now: ready, its agent available, none offered. */
export async function lockOfferableSession(
  tx: Executor,
  tenantId: string,
  sessionId: string,
): Promise<SessionRow | undefined> {
  const result = await sql<SessionRow>`
    select * from agent_sessions
    where tenant_id = ${tenantId} and id = ${sessionId} and status = 'ready'
      and agent_state = 'available' and offered_call_id is null
    for update skip locked`.execute(tx);
  return result.rows[0];
}

/**
 * The next call of a running preview campaign `session` can take, locked: waiting (queued, or
 * scheduled — a retry or a call deferred to its calling window — once due) and due, not
 * leased, the session's user among the campaign's agentIds (and the campaign among the
 * session's campaignIds), not offered to any open session, not skipped by this session since
 * `now`. Oldest due first.
 */
export async function lockNextPreviewCall(
  tx: Executor,
  session: SessionRow,
  now: Date,
): Promise<CallRow | undefined> {
  const campaigns = session.campaign_ids === null ? null : JSON.stringify(session.campaign_ids);
  // The agent's running preview campaigns are found first, each document looked at once: a big
  // campaign's is stored compressed out of line, and judged per queued call it was fetched and
  // inflated again for every call passed over (offered to another agent, skipped by this one).
  const result = await sql<CallRow>`
    with agent_campaigns as materialized (
      select tenant_id, id from campaigns
      where tenant_id = ${session.tenant_id} and dialing_mode = 'preview' and status = 'running'
        and coalesce(data->'agentIds', '[]'::jsonb) @> jsonb_build_array(${session.user_id}::text)
    )
    select c.* from calls c
    join agent_campaigns cp on cp.tenant_id = c.tenant_id and cp.id = c.campaign_id
    where c.tenant_id = ${session.tenant_id} and ${inWaitingPhase('c')}
      and c.next_attempt_at <= ${now}::timestamptz
      and (c.lease_owner is null or c.leased_until < ${now}::timestamptz)
      and (c.requested_user_id is null or c.requested_user_id = ${session.user_id})
      and (${campaigns}::jsonb is null or ${campaigns}::jsonb @> jsonb_build_array(c.campaign_id))
      and not exists (select 1 from agent_sessions o
        where o.tenant_id = c.tenant_id and o.offered_call_id = c.id and o.status <> 'ended')
      and not exists (select 1 from call_offer_skips k
        where k.tenant_id = c.tenant_id and k.call_id = c.id and k.session_id = ${session.id}
          and k.until > ${now}::timestamptz)
    order by c.next_attempt_at, c.seq
    limit 1
    for update of c skip locked`.execute(tx);
  return result.rows[0];
}

/**
 * Keeps an offered call out of every claim until `until` (its offer's end): a call is never
 * dialled while it is offered, and comes back to the queue by itself when the offer lapses.
 */
export async function holdOfferedCall(
  tx: Executor,
  tenantId: string,
  callId: string,
  until: Date,
  now: Date,
): Promise<void> {
  await sql`update calls set next_attempt_at = ${until}, updated_at = ${now}
    where tenant_id = ${tenantId} and id = ${callId}`.execute(tx);
}
