import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { AttemptMediaColumn } from './attempt-media.ts';
import type { AttemptRow, CallEventRow, CallRow } from './call-rows.ts';

/** Inserts a new call; returns false when the (client-chosen) id is taken. */
export async function insertCall(
  db: Executor,
  row: Omit<
    CallRow,
    | 'seq'
    | 'attempts_made'
    | 'sandbox'
    | 'event_sequence'
    | 'cancel_requested'
    | 'waiting_for_agent'
    | 'created_at'
    | 'updated_at'
    | 'lease_owner'
    | 'leased_until'
    | 'metadata'
    | 'trace_context'
  > & {
    metadata: Record<string, unknown>;
    sandbox: boolean;
    trace_context?: string | null;
  },
): Promise<boolean> {
  const result = await db
    .insertInto('calls')
    .values({
      ...row,
      metadata: JSON.stringify(row.metadata),
      lease_owner: null,
      leased_until: null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** One call of a tenant. */
export async function findCall(
  db: Executor,
  tenantId: string,
  id: string,
  lock = false,
): Promise<CallRow | undefined> {
  let q = db.selectFrom('calls').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** A page of a tenant's calls in creation order, optionally by campaign and status. */
export async function listCalls(
  db: Executor,
  tenantId: string,
  query: { campaignId?: string; status?: string; afterSeq?: number; limit: number },
): Promise<CallRow[]> {
  let q = db
    .selectFrom('calls')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('seq')
    .limit(query.limit);
  if (query.campaignId !== undefined) q = q.where('campaign_id', '=', query.campaignId);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.afterSeq !== undefined) q = q.where('seq', '>', String(query.afterSeq));
  return q.execute();
}

/**
 * Changes a call's columns other than its status (the caller holds the row lock or the lease);
 * status changes go through service/calls/record-transition.ts, the one guarded writer.
 */
export async function updateCall(
  db: Executor,
  tenantId: string,
  id: string,
  changes: Partial<Omit<CallRow, 'metadata' | 'status'>>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('calls')
    .set({ ...changes, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Appends a timeline entry with the call's next sequence number (same transaction as the change). */
export async function appendCallEvent(
  db: Executor,
  event: {
    tenantId: string;
    callId: string;
    campaignId: string | null;
    type: string;
    data: Record<string, unknown>;
  },
): Promise<number> {
  const row = await db
    .updateTable('calls')
    .set({ event_sequence: sql`event_sequence + 1` })
    .where('tenant_id', '=', event.tenantId)
    .where('id', '=', event.callId)
    .returning('event_sequence')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('call_events')
    .values({
      tenant_id: event.tenantId,
      call_id: event.callId,
      campaign_id: event.campaignId,
      sequence: row.event_sequence,
      type: event.type,
      data: JSON.stringify(event.data),
    })
    .execute();
  return row.event_sequence;
}

/** A call's timeline, in order. */
export async function listCallEvents(
  db: Executor,
  tenantId: string,
  callId: string,
): Promise<CallEventRow[]> {
  return db
    .selectFrom('call_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('call_id', '=', callId)
    .orderBy('sequence')
    .execute();
}

/** A call's attempts, in order. */
export async function listAttempts(
  db: Executor,
  tenantId: string,
  callIds: readonly string[],
): Promise<AttemptRow[]> {
  if (callIds.length === 0) return [];
  return db
    .selectFrom('call_attempts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('call_id', 'in', callIds)
    .orderBy('call_id')
    .orderBy('n')
    .execute();
}

/** Records an attempt before anything is dialled: the row is what prevents a second dial. */
export async function insertAttempt(
  db: Executor,
  attempt: Omit<
    AttemptRow,
    'ended_at' | 'outcome' | 'sip_status' | 'sip_reason' | 'decision' | AttemptMediaColumn
  > & {
    decision: unknown;
  },
): Promise<void> {
  await db
    .insertInto('call_attempts')
    .values({
      ...attempt,
      decision: JSON.stringify(attempt.decision),
      ended_at: null,
      outcome: null,
      sip_status: null,
      sip_reason: null,
    })
    .execute();
}

/** Closes an attempt with its outcome; a second settle of the same attempt changes nothing. */
export async function settleAttempt(
  db: Executor,
  key: { tenantId: string; callId: string; n: number },
  result: { outcome: string; sipStatus: number | null; sipReason: string | null; endedAt: Date },
): Promise<boolean> {
  const updated = await db
    .updateTable('call_attempts')
    .set({
      outcome: result.outcome,
      sip_status: result.sipStatus,
      sip_reason: result.sipReason,
      ended_at: result.endedAt,
    })
    .where('tenant_id', '=', key.tenantId)
    .where('call_id', '=', key.callId)
    .where('n', '=', key.n)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Attempts that reached the contact for this contact in this campaign (the attempt cap counts these). */
export async function contactAttemptStats(
  db: Executor,
  tenantId: string,
  campaignId: string,
  contactId: string,
): Promise<{ attempts: number; lastEndedAt: Date | null }> {
  const row = await db
    .selectFrom('call_attempts as a')
    .innerJoin('calls as c', (join) =>
      join.onRef('c.tenant_id', '=', 'a.tenant_id').onRef('c.id', '=', 'a.call_id'),
    )
    .select((eb) => [eb.fn.count<number>('a.n').as('attempts'), eb.fn.max('a.ended_at').as('last')])
    .where('a.tenant_id', '=', tenantId)
    .where('c.campaign_id', '=', campaignId)
    .where('c.contact_id', '=', contactId)
    .where((eb) => eb.or([eb('a.outcome', 'is', null), eb('a.outcome', '!=', 'agent_no_answer')]))
    .executeTakeFirstOrThrow();
  return {
    attempts: Number(row.attempts),
    lastEndedAt: row.last ? new Date(row.last as unknown as string) : null,
  };
}
