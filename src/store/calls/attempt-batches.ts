import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { textArray } from '../text-array.ts';
import {
  type AttemptMediaFacts,
  MEDIA_FACTS_ASSIGNMENTS,
  MEDIA_FACTS_COLUMNS,
  mediaFactsRecord,
} from './attempt-media.ts';
import { callRowColumns, callRowVersion } from './call-row-columns.ts';
import type { CallRow } from './call-rows.ts';
import { countedAttempts } from './counted-attempts.ts';
import { keyProbe } from './key-probes.ts';
import { orderedJsonRecords } from './ordered-json-records.ts';

/** A call named by its key. */
export interface CallKey {
  tenantId: string;
  callId: string;
}

/** An attempt named by its key. */
export interface AttemptKey extends CallKey {
  n: number;
}

/** A new attempt, written before anything is dialled: the row is what prevents a second dial. */
export interface NewAttempt extends AttemptKey {
  /** Null for a predictive dial: its agent is written at the live answer. */
  userId: string | null;
  startedAt: Date;
  decision: unknown;
  driver: string;
}

/*
 * Every statement of a call's life (here, in transition-call.ts and load-dial-facts.ts) takes its
 * rows as ONE jsonb parameter, so its text is the same whatever the batch size: one entry in the
 * embedded store's prepared-statement cache, parsed once there. A `VALUES` row per attempt or call
 * made each batch size a text of its own (61 texts of the status change in one 3,000-call run),
 * churning that cache and, on PostgreSQL, planning a larger statement each time. Dates travel as
 * ISO strings, read as timestamptz.
 */

/**
 * Inserts many attempts in one statement. `decision` travels as JSON text (text-array.ts) into
 * its json column, stored exactly as given.
 */
export async function insertAttempts(db: Executor, attempts: readonly NewAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  const items = JSON.stringify(
    attempts.map((a) => ({
      tenant_id: a.tenantId,
      call_id: a.callId,
      n: a.n,
      user_id: a.userId,
      started_at: a.startedAt.toISOString(),
      driver: a.driver,
    })),
  );
  // An absent decision is SQL null, a JSON null a JSON null, as `->` took them before.
  const decisions = textArray(
    attempts.map((a) => (a.decision === undefined ? null : JSON.stringify(a.decision))),
  );
  await sql`
    insert into call_attempts (tenant_id, call_id, n, user_id, started_at, decision, driver,
      ended_at, outcome, sip_status, sip_reason)
    select a.tenant_id, a.call_id, a.n, a.user_id, a.started_at, d.decision::json, a.driver,
      null, null, null, null
    from ${orderedJsonRecords(items, 'a', 'tenant_id text, call_id text, n int, user_id text, started_at timestamptz, driver text')},
      unnest(${decisions}::text[]) with ordinality as d(decision, ord)
    where d.ord = i.ord
    order by i.ord`.execute(db);
}

/** Removes attempts written in this transaction for calls that turned out not to be dialled. */
export async function deleteAttempts(db: Executor, keys: readonly AttemptKey[]): Promise<void> {
  if (keys.length === 0) return;
  const items = JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, call_id: k.callId, n: k.n })));
  await sql`delete from call_attempts a
    using jsonb_to_recordset(${items}::jsonb) as v(tenant_id text, call_id text, n int)
    where a.tenant_id = v.tenant_id and a.call_id = v.call_id and a.n = v.n`.execute(db);
}

/** How an attempt ended. */
export interface AttemptSettlement extends AttemptKey {
  outcome: string;
  sipStatus: number | null;
  sipReason: string | null;
  endedAt: Date;
  /** Media facts learnt with the end, recorded as recordAttemptMedia records them. */
  media?: AttemptMediaFacts;
}

/**
 * Closes many attempts in one statement, with the media facts that came with their ends (one new
 * version of each attempt's row where a settle and then a separate record of its facts made two);
 * answers, in order, whether each was closed by this call — a second settle of the same attempt
 * changes nothing, its facts included (recovery and a late driver event agree). A null
 * `sipStatus` or `sipReason` (JSON null) sets SQL null.
 */
export async function settleAttempts(
  db: Executor,
  settlements: readonly AttemptSettlement[],
): Promise<boolean[]> {
  if (settlements.length === 0) return [];
  const items = JSON.stringify(
    settlements.map((s, i) => ({
      ord: i,
      tenant_id: s.tenantId,
      call_id: s.callId,
      n: s.n,
      outcome: s.outcome,
      sip_status: s.sipStatus,
      sip_reason: s.sipReason,
      ended_at: s.endedAt.toISOString(),
      ...mediaFactsRecord(s.media),
    })),
  );
  const result = await sql<{ ord: number }>`
    with v as (
      select * from jsonb_to_recordset(${items}::jsonb) as j(ord int, tenant_id text, call_id text,
        n int, outcome text, sip_status int, sip_reason text, ended_at timestamptz, ${MEDIA_FACTS_COLUMNS})
    )
    update call_attempts a set outcome = v.outcome, sip_status = v.sip_status,
      sip_reason = v.sip_reason, ended_at = v.ended_at, ${MEDIA_FACTS_ASSIGNMENTS}
    from v
    where a.tenant_id = v.tenant_id and a.call_id = v.call_id and a.n = v.n and a.ended_at is null
      and ${keyProbe('a', { tenant: 'tenant_id', id: 'call_id' }, sql`(select tenant_id as tenant, call_id as id from v)`)}
    returning v.ord`.execute(db);
  const settled = settlements.map(() => false);
  for (const { ord } of result.rows) settled[ord] = true;
  return settled;
}

/** Many calls read and locked for the rest of the transaction (in key order, so two nodes never deadlock). */
export async function lockCalls(db: Executor, keys: readonly CallKey[]): Promise<Map<string, CallRow>> {
  if (keys.length === 0) return new Map();
  const items = JSON.stringify(keys.map((k) => ({ tenant_id: k.tenantId, call_id: k.callId })));
  const result = await sql<CallRow>`
    with v as (select * from jsonb_to_recordset(${items}::jsonb) as j(tenant_id text, call_id text))
    select ${callRowColumns('c')}, ${callRowVersion('c')} from calls c
    where (c.tenant_id, c.id) in (select tenant_id, call_id from v)
      and ${keyProbe('c', { tenant: 'tenant_id', id: 'id' }, sql`(select tenant_id as tenant, call_id as id from v)`)}
    order by c.tenant_id, c.id for update of c`.execute(db);
  return new Map(result.rows.map((row) => [`${row.tenant_id}/${row.id}`, row]));
}

/** What the retry decision reads about a call whose attempt ended without a conversation. */
export interface RetryFacts {
  /** The campaign's `retryPolicy` and `maxAttemptsPerContact` as stored (null for direct calls). */
  retryPolicy: unknown;
  maxAttemptsPerContact: unknown;
  /** Attempts that count against the contact's cap in its campaign; null without campaign or contact. */
  contactAttempts: number | null;
  /** This call's attempts the agent did not answer. */
  agentMisses: number;
}

/**
 * The retry decision's facts for many calls in one statement (after their attempts were
 * settled). The campaign's two settings are read once per campaign of the batch: a big
 * campaign's document is stored compressed out of line, and handing it back per call fetched
 * and inflated it for every failed attempt (a 1,000-agent campaign's is ~30 KB), which in a
 * campaign where most attempts go unanswered is most of what a batch reads.
 */
export async function loadRetryFacts(db: Executor, calls: readonly CallRow[]): Promise<RetryFacts[]> {
  if (calls.length === 0) return [];
  const items = JSON.stringify(
    calls.map((c, i) => ({
      ord: i,
      tenant_id: c.tenant_id,
      call_id: c.id,
      campaign_id: c.campaign_id,
      contact_id: c.contact_id,
    })),
  );
  const result = await sql<{
    ord: number;
    retry_policy: unknown;
    max_attempts: unknown;
    contact_attempts: number | string | null;
    agent_misses: number | string;
  }>`with v as (
      select * from jsonb_to_recordset(${items}::jsonb)
        as v(ord int, tenant_id text, call_id text, campaign_id text, contact_id text)
    ),
    batch_campaigns as materialized (
      select q.tenant_id, q.campaign_id, cp.data->'retryPolicy' as retry_policy,
        cp.data->'maxAttemptsPerContact' as max_attempts
      from (select distinct tenant_id, campaign_id from v where campaign_id is not null) q
      join lateral (select data from campaigns where tenant_id = q.tenant_id and id = q.campaign_id limit 1) cp on true
    )
    select v.ord, b.retry_policy, b.max_attempts,
      case when v.campaign_id is not null and v.contact_id is not null then coalesce(st.attempts, 0) end
        as contact_attempts,
      (select count(*) from call_attempts m where m.tenant_id = v.tenant_id and m.call_id = v.call_id
        and m.outcome = 'agent_no_answer') as agent_misses
    from v
    left join lateral (select retry_policy, max_attempts from batch_campaigns b
      where b.tenant_id = v.tenant_id and b.campaign_id = v.campaign_id limit 1) b on true
    left join lateral ${countedAttempts(sql.ref('v.tenant_id'), sql.ref('v.campaign_id'), sql.ref('v.contact_id'))} st on true`.execute(
    db,
  );
  const facts: RetryFacts[] = calls.map(() => ({
    retryPolicy: null,
    maxAttemptsPerContact: null,
    contactAttempts: null,
    agentMisses: 0,
  }));
  for (const row of result.rows)
    facts[row.ord] = {
      retryPolicy: row.retry_policy,
      maxAttemptsPerContact: row.max_attempts,
      contactAttempts: row.contact_attempts === null ? null : Number(row.contact_attempts),
      agentMisses: Number(row.agent_misses),
    };
  return facts;
}
