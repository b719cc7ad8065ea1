import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../database.ts';
import { countedAttempts } from './counted-attempts.ts';

/** One campaign call request whose facts are wanted. */
export interface CampaignCallFactsKey {
  tenantId: string;
  campaignId: string;
  /** The contact by id, or (null) by `contactExternalId` — an inline contact that may exist. */
  contactId: string | null;
  contactExternalId?: string | null;
  /** Numbers the request brings (an inline contact's), checked against the DNC list too. */
  numbers?: readonly string[];
  userId: string | null;
  /** Client-chosen call id, checked for being taken. */
  callId: string | null;
}

/** What the store knows that bears on one campaign call request (documents as stored JSON). */
export interface CampaignCallFactsRow {
  campaign: { id: string; data: unknown } | null;
  contact: { id: string; data: unknown } | null;
  member: boolean;
  user: { id: string; data: unknown } | null;
  /** The campaign's configured caller id document, when the campaign names one. */
  campaignCallerId: unknown;
  /** The tenant's first verified caller id (only looked up when the campaign names none). */
  firstVerifiedCallerId: string | null;
  /** Those of the contact's (and the request's) numbers that are on the tenant's DNC list. */
  dncNumbers: string[];
  /** Attempts that count against the cap (not agent_no_answer) and when the last one ended. */
  attempts: number;
  lastEndedAt: Date | null;
  callIdTaken: boolean;
  /**
   * How many of the campaign's agentIds name an active user (who could take the call), counted
   * up to ACTIVE_AGENTS_COUNTED: the accept decision only needs to know there is one.
   */
  activeAgents: number;
}

interface RawRow {
  i: number;
  campaign_id: string | null;
  campaign: unknown;
  contact_id: string | null;
  contact: unknown;
  member: boolean;
  user_id: string | null;
  user_data: unknown;
  campaign_caller_id: unknown;
  first_verified_caller_id: string | null;
  dnc_numbers: string[] | null;
  attempts: number | string;
  last_ended_at: Date | string | null;
  call_id_taken: boolean;
  active_agents: number | string;
}

/**
 * How many of a campaign's agentIds name an active user, as a scalar subquery: one users-index
 * probe per agent (a LATERAL with LIMIT 1, which the planner cannot turn into a join). As a plain
 * join, with the users table's statistics stale (PGlite has no autovacuum: agents just created
 * still count as none), the planner scanned every user and re-read the agentIds for each:
 * 10,000 users × 1,000 agents took 4.8 s per accept batch (10 ms probed), blocking the node's
 * event loop, SIP included (sip_rss_delta_10k).
 */
export function campaignActiveAgents(
  tenant: RawBuilder<unknown>,
  campaign: RawBuilder<unknown>,
): RawBuilder<number> {
  return sql<number>`(
          select count(*) from (select 1 from campaigns c
            cross join lateral jsonb_array_elements_text(coalesce(c.data->'agentIds', '[]'::jsonb)) a(id)
            cross join lateral (select 1 from users au
              where au.tenant_id = ${tenant} and au.id = a.id and au.data->>'status' = 'active' limit 1) au
            where c.tenant_id = ${tenant} and c.id = ${campaign}
            limit ${sql.lit(ACTIVE_AGENTS_COUNTED)}) counted
        )`;
}

/**
 * Active agents are counted up to this many: the count only tells a campaign that can take calls
 * from one that cannot (and is shown in the decision). Counting them all probed every agent per
 * accept batch: 7.2 of a batch's 10 ms of store time with a campaign of 1,000 agents
 * (sip_cps_ratio, BENCH_SQL_EXPLAIN), where 100 probes take ~0.7 ms.
 */
export const ACTIVE_AGENTS_COUNTED = 100;

/**
 * Reads everything the checks of many campaign call requests need in ONE statement (the accept
 * path's group commit): per request the campaign, contact, membership, requested user, caller
 * ids, DNC hits among the contact's numbers, attempt stats and whether a client-chosen id is
 * taken. One statement instead of ~8 per request is what lets PGlite (≈0.2–0.5 ms a statement,
 * one connection) accept thousands of calls a second. Rows come back in `keys` order.
 */
export async function loadCampaignCallFacts(
  db: Executor,
  keys: readonly CampaignCallFactsKey[],
): Promise<CampaignCallFactsRow[]> {
  if (keys.length === 0) return [];
  const jobs = JSON.stringify(
    keys.map((k, i) => ({
      i,
      t: k.tenantId,
      p: k.campaignId,
      c: k.contactId,
      x: k.contactExternalId ?? null,
      nums: k.numbers ?? [],
      u: k.userId,
      k: k.callId,
    })),
  );
  const result = await sql<RawRow>`
    with j as materialized (
      select * from jsonb_to_recordset(${jobs}::jsonb)
        as j(i int, t text, p text, c text, x text, nums jsonb, u text, k text)
    ),
    -- Everything the campaign's document decides, once per campaign of the batch, not once per
    -- request: a 1,000-agent campaign's document is stored compressed out of line, and every
    -- request reading its callerId fetched and inflated it again (sip_cps_ratio, BENCH_SQL_EXPLAIN:
    -- ~10 toast pages a request); a batch of 30 requests for one campaign of 60 agents probed
    -- the users index 1,800 times for the active agents' count.
    batch_campaigns as materialized (
      select q.t, q.p, cp.id, cp.data,
        (select ci.data from caller_ids ci
          where ci.tenant_id = q.t and ci.id = cp.data->>'callerId') as campaign_caller_id,
        case when cp.data->>'callerId' is null then
          (select fv.id from caller_ids fv
            where fv.tenant_id = q.t and fv.data->>'verified' = 'true' order by fv.seq limit 1)
        end as first_verified_caller_id,
        ${campaignActiveAgents(sql.ref('q.t'), sql.ref('q.p'))} as active_agents
      from (select distinct t, p from j) q
      left join lateral (select id, data from campaigns where tenant_id = q.t and id = q.p limit 1) cp on true
    )
    select j.i,
      -- The campaign's document travels once per campaign of the batch (its first request), not
      -- once per request: a 1,000-agent campaign's document is ~30 KB to serialise and parse.
      cp.id as campaign_id,
      case when row_number() over (partition by j.t, cp.id order by j.i) = 1 then cp.data end as campaign,
      ct.id as contact_id, ct.data as contact,
      mm.member is not null as member,
      us.id as user_id, us.data as user_data,
      cp.campaign_caller_id,
      cp.first_verified_caller_id,
      -- "nums", not "n": a bare n below would bind to that column instead of the row alias.
      (select array_agg(d.number) from dnc_numbers d
        where d.tenant_id = j.t
          and (d.number in (select n->>'number' from jsonb_array_elements(ct.data->'phoneNumbers') n)
            or d.number in (select jsonb_array_elements_text(j.nums)))
      ) as dnc_numbers,
      coalesce(st.attempts, 0) as attempts, st.last_ended_at,
      tk.taken is not null as call_id_taken,
      coalesce(cp.active_agents, 0) as active_agents
    from j
    -- Every lookup is a LATERAL subquery with LIMIT 1, which the planner cannot flatten: it
    -- estimates jsonb_to_recordset at 100 rows, and as plain joins / EXISTS these became hash
    -- joins over seq scans of all contacts and campaign members (25 of 35 ms at 5,000 contacts).
    left join lateral (select * from batch_campaigns b
      where b.t = j.t and b.p = j.p and b.id is not null limit 1) cp on true
    left join lateral (
      (select id, data from contacts where tenant_id = j.t and id = j.c limit 1)
      union all
      (select id, data from contacts where j.c is null and tenant_id = j.t and external_id = j.x limit 1)
      limit 1) ct on true
    left join lateral (select id, data from users where tenant_id = j.t and id = j.u limit 1) us on true
    left join lateral (select true as member from campaign_contacts
      where tenant_id = j.t and campaign_id = j.p and contact_id = ct.id limit 1) mm on true
    left join lateral (select true as taken from calls
      where j.k is not null and tenant_id = j.t and id = j.k limit 1) tk on true
    left join lateral ${countedAttempts(sql.ref('j.t'), sql.ref('j.p'), sql.ref('ct.id'))} st on true
    order by j.i`.execute(db);
  const documents = new Map<string, unknown>();
  for (const row of result.rows)
    if (row.campaign_id !== null && row.campaign !== null)
      documents.set(`${keys[row.i]?.tenantId}/${row.campaign_id}`, row.campaign);
  return result.rows.map((row) => ({
    campaign:
      row.campaign_id === null
        ? null
        : { id: row.campaign_id, data: documents.get(`${keys[row.i]?.tenantId}/${row.campaign_id}`) },
    contact: row.contact_id === null ? null : { id: row.contact_id, data: row.contact },
    member: row.member,
    user: row.user_id === null ? null : { id: row.user_id, data: row.user_data },
    campaignCallerId: row.campaign_caller_id,
    firstVerifiedCallerId: row.first_verified_caller_id,
    dncNumbers: row.dnc_numbers ?? [],
    attempts: Number(row.attempts),
    lastEndedAt: row.last_ended_at === null ? null : new Date(row.last_ended_at),
    callIdTaken: row.call_id_taken,
    activeAgents: Number(row.active_agents),
  }));
}
