import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { callRowColumns } from './call-row-columns.ts';
import type { CallRow } from './call-rows.ts';
import { countedAttempts } from './counted-attempts.ts';

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

/** Inserts many attempts in one statement. */
export async function insertAttempts(db: Executor, attempts: readonly NewAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  await db
    .insertInto('call_attempts')
    .values(
      attempts.map((a) => ({
        tenant_id: a.tenantId,
        call_id: a.callId,
        n: a.n,
        user_id: a.userId,
        started_at: a.startedAt,
        decision: JSON.stringify(a.decision),
        driver: a.driver,
        ended_at: null,
        outcome: null,
        sip_status: null,
        sip_reason: null,
      })),
    )
    .execute();
}

/** Removes attempts written in this transaction for calls that turned out not to be dialled. */
export async function deleteAttempts(db: Executor, keys: readonly AttemptKey[]): Promise<void> {
  if (keys.length === 0) return;
  const rows = sql.join(keys.map((k) => sql`(${k.tenantId}::text, ${k.callId}::text, ${k.n}::int)`));
  await sql`delete from call_attempts a using (values ${rows}) v(tenant_id, call_id, n)
    where a.tenant_id = v.tenant_id and a.call_id = v.call_id and a.n = v.n`.execute(db);
}

/** How an attempt ended. */
export interface AttemptSettlement extends AttemptKey {
  outcome: string;
  sipStatus: number | null;
  sipReason: string | null;
  endedAt: Date;
}

/**
 * Closes many attempts in one statement; answers, in order, whether each was closed by this
 * call — a second settle of the same attempt changes nothing (recovery and a late driver event
 * agree).
 */
export async function settleAttempts(
  db: Executor,
  settlements: readonly AttemptSettlement[],
): Promise<boolean[]> {
  if (settlements.length === 0) return [];
  const rows = sql.join(
    settlements.map(
      (s, i) =>
        sql`(${i}::int, ${s.tenantId}::text, ${s.callId}::text, ${s.n}::int, ${s.outcome}::text,
          ${s.sipStatus}::int, ${s.sipReason}::text, ${s.endedAt}::timestamptz)`,
    ),
  );
  const result = await sql<{ ord: number }>`
    update call_attempts a set outcome = v.outcome, sip_status = v.sip_status,
      sip_reason = v.sip_reason, ended_at = v.ended_at
    from (values ${rows}) v(ord, tenant_id, call_id, n, outcome, sip_status, sip_reason, ended_at)
    where a.tenant_id = v.tenant_id and a.call_id = v.call_id and a.n = v.n and a.ended_at is null
    returning v.ord`.execute(db);
  const settled = settlements.map(() => false);
  for (const { ord } of result.rows) settled[ord] = true;
  return settled;
}

/** Many calls read and locked for the rest of the transaction (in key order, so two nodes never deadlock). */
export async function lockCalls(db: Executor, keys: readonly CallKey[]): Promise<Map<string, CallRow>> {
  if (keys.length === 0) return new Map();
  const rows = sql.join(keys.map((k) => sql`(${k.tenantId}::text, ${k.callId}::text)`));
  const result = await sql<CallRow>`select ${callRowColumns('c')} from calls c
    where (c.tenant_id, c.id) in (select * from (values ${rows}) v(tenant_id, call_id))
    order by c.tenant_id, c.id for update of c`.execute(db);
  return new Map(result.rows.map((row) => [`${row.tenant_id}/${row.id}`, row]));
}

/** What the retry decision reads about a call whose attempt ended without a conversation. */
export interface RetryFacts {
  /** The campaign's document (null for direct calls). */
  campaign: unknown;
  /** Attempts that count against the contact's cap in its campaign; null without campaign or contact. */
  contactAttempts: number | null;
  /** This call's attempts the agent did not answer. */
  agentMisses: number;
}

/** The retry decision's facts for many calls in one statement (after their attempts were settled). */
export async function loadRetryFacts(db: Executor, calls: readonly CallRow[]): Promise<RetryFacts[]> {
  if (calls.length === 0) return [];
  const rows = sql.join(
    calls.map(
      (c, i) =>
        sql`(${i}::int, ${c.tenant_id}::text, ${c.id}::text, ${c.campaign_id}::text, ${c.contact_id}::text)`,
    ),
  );
  const result = await sql<{
    ord: number;
    campaign: unknown;
    contact_attempts: number | string | null;
    agent_misses: number | string;
  }>`select v.ord,
      cp.data as campaign,
      case when v.campaign_id is not null and v.contact_id is not null then coalesce(st.attempts, 0) end
        as contact_attempts,
      (select count(*) from call_attempts m where m.tenant_id = v.tenant_id and m.call_id = v.call_id
        and m.outcome = 'agent_no_answer') as agent_misses
    from (values ${rows}) v(ord, tenant_id, call_id, campaign_id, contact_id)
    left join lateral (select data from campaigns where tenant_id = v.tenant_id and id = v.campaign_id limit 1) cp on true
    left join lateral ${countedAttempts(sql.ref('v.tenant_id'), sql.ref('v.campaign_id'), sql.ref('v.contact_id'))} st on true`.execute(
    db,
  );
  const facts: RetryFacts[] = calls.map(() => ({ campaign: null, contactAttempts: null, agentMisses: 0 }));
  for (const row of result.rows)
    facts[row.ord] = {
      campaign: row.campaign,
      contactAttempts: row.contact_attempts === null ? null : Number(row.contact_attempts),
      agentMisses: Number(row.agent_misses),
    };
  return facts;
}
