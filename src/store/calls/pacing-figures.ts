import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { inWaitingPhase } from './call-phase.ts';
import { callRowColumns } from './call-row-columns.ts';
import type { CallRow } from './call-rows.ts';

/*
 * What predictive pacing reads of the store (issue 17), each in one statement: the session
 * agents of running predictive campaigns on one dialer, and a campaign's recent attempts. The
 * dialer caches both for about a second per campaign.
 */

/** A session agent serving a running predictive campaign on this dialer. */
export interface PacedAgentRow {
  tenant_id: string;
  campaign_id: string;
  /**
   * The campaign document (its dialing settings), on the campaign's first row only (null on the
   * others): a big campaign's is ~30 KB, and every agent's row carried a copy.
   */
  campaign: unknown;
  agent_state: string;
  state_since: Date | string | null;
}

/**
 * The open, answered session agents `owner` holds, per running predictive campaign they serve
 * (an agent of two such campaigns is counted in both). Campaigns with no such agent are absent:
 * this node has nobody to bridge their answers to.
 */
export async function loadPacedAgents(db: Executor, owner: string): Promise<PacedAgentRow[]> {
  // Each campaign's agentIds are taken out of its document once, not per session row: a big
  // campaign's document is stored compressed out of line, and each look fetched and inflated it.
  const result = await sql<PacedAgentRow>`
    with sessions as materialized (
      select tenant_id, id, user_id, campaign_ids, agent_state, state_since from agent_sessions
      where lease_owner = ${owner} and status in ('ready', 'on_call')
    ),
    paced as materialized (
      select cp.tenant_id, cp.id, cp.data, coalesce(cp.data->'agentIds', '[]'::jsonb) as agent_ids
      from campaigns cp
      where cp.status = 'running' and cp.dialing_mode = 'predictive'
        and cp.tenant_id in (select tenant_id from sessions)
    )
    select s.tenant_id, p.id as campaign_id,
      case when row_number() over (partition by s.tenant_id, p.id order by s.id) = 1 then p.data end
        as campaign,
      s.agent_state, s.state_since
    from sessions s
    join paced p on p.tenant_id = s.tenant_id and p.agent_ids ? s.user_id
      and (s.campaign_ids is null or s.campaign_ids @> jsonb_build_array(p.id))
    order by s.tenant_id, p.id, s.id`.execute(db);
  return result.rows;
}

/** One recent ended attempt of a campaign, as pacing measures it. */
export interface RecentDialRow {
  outcome: string;
  started_at: Date | string;
  ended_at: Date | string;
  contact_answered_at: Date | string | null;
  agent_connected_at: Date | string | null;
  verdict: string | null;
}

/** The campaign's last `limit` ended attempts, newest first. */
export async function loadRecentDials(
  db: Executor,
  query: { tenantId: string; campaignId: string; limit: number },
): Promise<RecentDialRow[]> {
  const result = await sql<RecentDialRow>`
    select a.outcome, a.started_at, a.ended_at, a.contact_answered_at, a.agent_connected_at,
      a.analysis ->> 'verdict' as verdict
    from calls c
    join call_attempts a on a.tenant_id = c.tenant_id and a.call_id = c.id
    where c.tenant_id = ${query.tenantId} and c.campaign_id = ${query.campaignId}
      and a.ended_at is not null
    order by a.ended_at desc
    limit ${query.limit}`.execute(db);
  return result.rows;
}

/** Claims up to `limit` due calls of one campaign for `owner` (the pacer decided how many). */
export async function claimCampaignCalls(
  db: Executor,
  query: { owner: string; tenantId: string; campaignId: string; limit: number; leaseSeconds: number },
  now: Date,
): Promise<CallRow[]> {
  if (query.limit <= 0) return [];
  const result = await sql<CallRow>`
    update calls set lease_owner = ${query.owner},
      leased_until = ${now}::timestamptz + make_interval(secs => ${query.leaseSeconds}), updated_at = ${now}
    where (tenant_id, id) in (
      select c.tenant_id, c.id from calls c
      where c.tenant_id = ${query.tenantId} and c.campaign_id = ${query.campaignId}
        and ${inWaitingPhase('c')} and c.next_attempt_at <= ${now}::timestamptz
        and (c.leased_until is null or c.leased_until < ${now}::timestamptz)
      order by c.next_attempt_at
      limit ${query.limit}
      for update of c skip locked)
    returning ${callRowColumns()}`.execute(db);
  return result.rows;
}

/**
 * Locks the campaign's row and answers the `restricted` of its latest `campaign.pacing_restricted`
 * event (false when none): nodes publishing a change of restriction take turns on the lock.
 */
export async function lockLastPacingRestriction(
  tx: Executor,
  tenantId: string,
  campaignId: string,
): Promise<boolean> {
  await sql`select 1 from campaigns where tenant_id = ${tenantId} and id = ${campaignId} for update`.execute(
    tx,
  );
  const last = await sql<{ restricted: boolean | null }>`
    select (data->>'restricted')::boolean as restricted from call_events
    where tenant_id = ${tenantId} and subject_type = 'campaign' and subject_id = ${campaignId}
      and call_id is null and type = 'campaign.pacing_restricted'
    order by sequence desc limit 1`.execute(tx);
  return last.rows[0]?.restricted ?? false;
}

/** Locks a campaign's row (its subject events take their sequence under it); false when gone. */
export async function lockCampaignRow(tx: Executor, tenantId: string, campaignId: string): Promise<boolean> {
  const result =
    await sql`select 1 from campaigns where tenant_id = ${tenantId} and id = ${campaignId} for update`.execute(
      tx,
    );
  return result.rows.length > 0;
}
