import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../database.ts';
import { inLivePhase } from './call-phase.ts';
import { callRowColumns, callRowVersion } from './call-row-columns.ts';
import type { CallRow } from './call-rows.ts';
import { countedAttempts } from './counted-attempts.ts';
import { keyProbe } from './key-probes.ts';

/** What the dialer re-checks just before dialling a claimed call, read in one statement. */
export interface DialFacts {
  /** The call as it is now. */
  call: CallRow;
  campaign: unknown;
  contact: unknown;
  /** Attempts that count against the cap (not agent_no_answer) and when the last one ended. */
  attempts: number;
  lastEndedAt: Date | null;
  onDnc: boolean;
  /**
   * The first candidate agent (the requested user, else the campaign's agentIds in order) who
   * is active and on no live call, with their user document; null when nobody is free. An agent
   * with an open personal-connection session is free only through it: the session is `ready`
   * on this dialer and takes this call's campaign; `sessionId` then names it.
   */
  freeAgent: { id: string; data: unknown; sessionId: string | null } | null;
}

type Row = CallRow & {
  campaign_now: unknown;
  contact_now: unknown;
  attempts_now: number | string;
  last_ended_now: Date | string | null;
  on_dnc_now: boolean;
  free_agent_now: { id: string; data: unknown; sessionId: string | null } | null;
};

/**
 * One statement instead of eight for the dialer's pre-dial check (it ran for every attempt, at
 * about 5 ms of the store's single thread): the fresh call row, its campaign and contact, the
 * contact's attempt stats, the DNC hit, and the first free agent. Lookups are LIMIT 1 laterals
 * so the planner keeps them as index probes. `dialer` is the lease owner of the asking dialer:
 * a session's leg lives on one node, so only that node can route calls through it.
 */
export async function loadDialFacts(
  db: Executor,
  tenantId: string,
  callId: string,
  dialer: string | null = null,
): Promise<DialFacts | undefined> {
  const result = await dialFactsStatement(tenantId, callId, dialer).execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const { campaign_now, contact_now, attempts_now, last_ended_now, on_dnc_now, free_agent_now, ...call } =
    row;
  return {
    call: call as CallRow,
    campaign: campaign_now,
    contact: contact_now,
    attempts: Number(attempts_now),
    lastEndedAt: last_ended_now === null ? null : new Date(last_ended_now),
    onDnc: on_dnc_now,
    freeAgent: free_agent_now,
  };
}

/** The pre-dial read as a statement (exported so a test can check its plan). */
export function dialFactsStatement(tenantId: string, callId: string, dialer: string | null): RawBuilder<Row> {
  return sql<Row>`    select ${callRowColumns('c')},
      cp.data as campaign_now,
      ct.data as contact_now,
      coalesce(st.attempts, 0) as attempts_now,
      st.last_ended_at as last_ended_now,
      exists (select 1 from dnc_numbers d where d.tenant_id = c.tenant_id and d.number = c.to_number) as on_dnc_now,
      (select jsonb_build_object('id', f.id, 'data', f.data, 'sessionId', f.session_id)
        from ${freeAgents(sql.ref('c.tenant_id'), sql.ref('c.campaign_id'), sql.ref('c.requested_user_id'), sql.ref('cp.data'), dialer, sql.lit(1))} f) as free_agent_now
    from calls c
    left join lateral (select data from campaigns where tenant_id = c.tenant_id and id = c.campaign_id limit 1) cp on true
    left join lateral (select data from contacts where tenant_id = c.tenant_id and id = c.contact_id limit 1) ct on true
    -- Direct calls (no campaign or contact) match no row: zero attempts, as decide() assumes.
    left join lateral ${countedAttempts(sql.ref('c.tenant_id'), sql.ref('c.campaign_id'), sql.ref('c.contact_id'))} st on true
    where c.tenant_id = ${tenantId} and c.id = ${callId}`;
}

/**
 * The free agents (at most `limit`, in order: the requested user, else the campaign's agentIds)
 * for calls of one campaign and requested user: active, on no live call, and — with an open
 * personal-connection session — free only through it when the session is `ready` on `dialer`,
 * its agent `available` (not reserved, on a call, in wrap-up or paused) and it takes the
 * campaign; such agents come first, longest idle first. A subquery of rows (id, data,
 * session_id, ord); a session agent may appear twice (callers skip agents already taken).
 * `limit` is a literal for one call, a parameter for a batch (so its text does not change with
 * the batch size).
 */
function freeAgents(
  tenant: RawBuilder<unknown>,
  campaignId: RawBuilder<unknown>,
  requestedUser: RawBuilder<unknown>,
  campaign: RawBuilder<unknown>,
  dialer: string | null,
  limit: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`(select u.id, u.data, s.id as session_id, k.ord
        from (
          select ${requestedUser} as id, 0::bigint as ord where ${requestedUser} is not null
          union all
          -- Session agents available on this dialer go first, longest idle (oldest state_since)
          -- first; a few index probes of open sessions, so the campaign order below stays cheap.
          select i.user_id, i.ord - 1000000000 from (
            select si.user_id, row_number() over (order by si.state_since, si.id) as ord
            from agent_sessions si
            where ${requestedUser} is null and si.tenant_id = ${tenant} and si.status = 'ready'
              and si.agent_state = 'available' and si.lease_owner = ${dialer}
              and coalesce(${campaign}->'agentIds', '[]'::jsonb) ? si.user_id
          ) i
          union all
          select a.value, a.ord from jsonb_array_elements_text(
            case when ${requestedUser} is null then coalesce(${campaign}->'agentIds', '[]'::jsonb) else '[]'::jsonb end
          ) with ordinality as a(value, ord)
          -- Sorted here, so the nested loop below keeps this order and LIMIT stops at the first
          -- free agents. Sorted after the checks (a hash anti join over busy calls), every agent of
          -- the campaign was looked up on every dial: 2-4 ms at 1,000 agents, growing with each.
          order by ord
        ) k
        join lateral (select id, data from users where tenant_id = ${tenant} and id = k.id limit 1) u on true
        left join lateral (select id, status, agent_state, lease_owner, campaign_ids from agent_sessions
          where tenant_id = ${tenant} and user_id = k.id and status <> 'ended' limit 1) s on true
        where u.data->>'status' = 'active' and jsonb_typeof(u.data->'device') = 'object'
          -- A scalar subquery (not NOT EXISTS, which becomes a join) is probed per agent, in order.
          and (select 1 from calls b
            where b.tenant_id = ${tenant} and b.user_id = k.id and ${inLivePhase('b')} limit 1) is null
          and (s.id is null or (s.status = 'ready' and s.agent_state = 'available' and s.lease_owner = ${dialer}
            and (s.campaign_ids is null or ${campaignId}::text is null
              or s.campaign_ids @> jsonb_build_array(${campaignId}::text))))
        order by k.ord
        limit ${limit})`;
}

/** A free agent as the batched read answers it. */
export interface FreeAgent {
  id: string;
  data: unknown;
  sessionId: string | null;
}

/** What the batched pre-dial read answers for one call. */
export interface BatchDialFacts extends Omit<DialFacts, 'freeAgent'> {
  /**
   * The first free agents of the call's campaign (or its requested user), in order, as many as
   * the batch has calls: calls of one campaign share the list and take from it in turn.
   */
  freeAgents: FreeAgent[];
}

type BatchRow = Omit<Row, 'free_agent_now'> & { ord: number; free_agents_now: FreeAgent[] | null };

/**
 * The pre-dial read for a whole claimed batch in ONE statement: per call the fresh row, its
 * campaign and contact, the contact's attempt stats and the DNC hit — compliance facts read
 * fresh at dial time, as for one call — and, per campaign and requested user of the batch (not
 * per call), its first free agents. Answers in the order of `callIds` (undefined: no such call).
 * The keys travel as one jsonb parameter and the number of agents wanted as another, so the
 * statement's text is the same for any batch size (attempt-batches.ts says why that matters).
 */
export async function loadDialFactsBatch(
  db: Executor,
  calls: readonly { tenantId: string; callId: string }[],
  dialer: string | null,
): Promise<(BatchDialFacts | undefined)[]> {
  if (calls.length === 0) return [];
  const keys = JSON.stringify(calls.map((c, i) => ({ ord: i, tenant_id: c.tenantId, id: c.callId })));
  const result = await sql<BatchRow>`
    with v as (select * from jsonb_to_recordset(${keys}::jsonb) as j(ord int, tenant_id text, id text)),
    b as (
      select ${callRowColumns('c')}, ${callRowVersion('c')}, v.ord from v join calls c on c.tenant_id = v.tenant_id and c.id = v.id
      where ${keyProbe('c', { tenant: 'tenant_id', id: 'id' }, sql`(select tenant_id as tenant, id from v)`)}
    ),
    g as (
      select g.tenant_id, g.campaign_id, g.requested_user_id,
        (select coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'data', f.data, 'sessionId', f.session_id)
            order by f.ord), '[]'::jsonb)
          from ${freeAgents(sql.ref('g.tenant_id'), sql.ref('g.campaign_id'), sql.ref('g.requested_user_id'), sql.ref('gc.data'), dialer, sql`${calls.length}::int`)} f) as free_agents
      from (select distinct tenant_id, campaign_id, requested_user_id from b) g
      left join lateral (select data from campaigns where tenant_id = g.tenant_id and id = g.campaign_id limit 1) gc on true
    )
    select b.*,
      -- The campaign's document and the group's free agents travel once, on the group's first
      -- call: repeated on every call, a batch of 200 calls of a 1,000-agent campaign carried
      -- 200 copies of each, and parsing them was most of the dialer's CPU.
      case when row_number() over (partition by b.tenant_id, b.campaign_id order by b.ord) = 1
        then cp.data end as campaign_now,
      ct.data as contact_now,
      coalesce(st.attempts, 0) as attempts_now,
      st.last_ended_at as last_ended_now,
      exists (select 1 from dnc_numbers d where d.tenant_id = b.tenant_id and d.number = b.to_number) as on_dnc_now,
      case when row_number() over (
          partition by b.tenant_id, b.campaign_id, b.requested_user_id order by b.ord) = 1
        then g.free_agents end as free_agents_now
    from b
    join g on g.tenant_id = b.tenant_id and g.campaign_id is not distinct from b.campaign_id
      and g.requested_user_id is not distinct from b.requested_user_id
    left join lateral (select data from campaigns where tenant_id = b.tenant_id and id = b.campaign_id limit 1) cp on true
    left join lateral (select data from contacts where tenant_id = b.tenant_id and id = b.contact_id limit 1) ct on true
    left join lateral ${countedAttempts(sql.ref('b.tenant_id'), sql.ref('b.campaign_id'), sql.ref('b.contact_id'))} st on true`.execute(
    db,
  );
  const answers: (BatchDialFacts | undefined)[] = calls.map(() => undefined);
  // Shared by the calls of a campaign (and requested user): read once, on the first such row.
  const campaigns = new Map<string, unknown>();
  const agents = new Map<string, FreeAgent[]>();
  const campaignKey = (row: BatchRow) => `${row.tenant_id}/${row.campaign_id}`;
  const groupKey = (row: BatchRow) => `${campaignKey(row)}/${row.requested_user_id}`;
  for (const row of result.rows) {
    if (row.campaign_now !== null) campaigns.set(campaignKey(row), row.campaign_now);
    if (row.free_agents_now !== null) agents.set(groupKey(row), row.free_agents_now);
  }
  for (const row of result.rows) {
    const {
      ord,
      campaign_now,
      contact_now,
      attempts_now,
      last_ended_now,
      on_dnc_now,
      free_agents_now,
      ...call
    } = row;
    answers[ord] = {
      call: call as CallRow,
      campaign: campaign_now ?? campaigns.get(campaignKey(row)) ?? null,
      contact: contact_now,
      attempts: Number(attempts_now),
      lastEndedAt: last_ended_now === null ? null : new Date(last_ended_now),
      onDnc: on_dnc_now,
      freeAgents: free_agents_now ?? agents.get(groupKey(row)) ?? [],
    };
  }
  return answers;
}
