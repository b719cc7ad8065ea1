import { sql } from 'kysely';
import { inLivePhase } from '../calls/call-phase.ts';
import type { Executor } from '../database.ts';
import type { SessionRow } from './session-rows.ts';

/*
 * The SQL half of a predictive connect (issue 17): a live answer takes the longest-idle
 * available session agent of its campaign on this dialer. The session row is locked FOR UPDATE
 * SKIP LOCKED, so two answers claiming at once never take one agent; the call's user_id is set
 * only while it is still null, so one contact never gets two agents. Both in the caller's
 * transaction, with the agent's `reserve` (service layer) — one commit.
 */

/**
 * The longest-idle session agent `owner` holds that can take a contact of `campaignId` now,
 * locked: ready, available, not offered a preview call, among the campaign's agentIds (and the
 * campaign among the session's campaignIds), on no live call.
 */
export async function lockLongestIdleAgent(
  tx: Executor,
  query: { tenantId: string; campaignId: string; owner: string },
): Promise<SessionRow | undefined> {
  // The campaign's agentIds are taken out of its document once, not per session considered: a
  // big campaign's document is stored compressed out of line, and each look at it fetched and
  // inflated it again (a 1,000-agent campaign's is ~30 KB), on the path of a live answer.
  const result = await sql<SessionRow>`
    with campaign_agents as materialized (
      select coalesce(data->'agentIds', '[]'::jsonb) as ids from campaigns
      where tenant_id = ${query.tenantId} and id = ${query.campaignId}
    )
    select s.* from agent_sessions s
    join campaign_agents cp on cp.ids ? s.user_id
    where s.tenant_id = ${query.tenantId} and s.status = 'ready' and s.agent_state = 'available'
      and s.lease_owner = ${query.owner} and s.offered_call_id is null
      and (s.campaign_ids is null or s.campaign_ids @> jsonb_build_array(${query.campaignId}::text))
      and not exists (select 1 from calls b
        where b.tenant_id = s.tenant_id and b.user_id = s.user_id and ${inLivePhase('b')})
    order by s.state_since, s.id
    limit 1
    for update of s skip locked`.execute(tx);
  return result.rows[0];
}

/**
 * Gives the call (and its open attempt `n`) to `userId`, only if it has no agent yet: false
 * when another agent took it first (the caller rolls back).
 */
export async function assignCallAgent(
  tx: Executor,
  call: { tenantId: string; callId: string; n: number },
  userId: string,
): Promise<boolean> {
  const updated = await sql`update calls set user_id = ${userId}
    where tenant_id = ${call.tenantId} and id = ${call.callId} and user_id is null
      and status in ('dialing_contact')`.execute(tx);
  if (Number(updated.numAffectedRows ?? 0) !== 1) return false;
  await sql`update call_attempts set user_id = ${userId}
    where tenant_id = ${call.tenantId} and call_id = ${call.callId} and n = ${call.n}`.execute(tx);
  return true;
}
