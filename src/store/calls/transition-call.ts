import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { AttemptRow, CallRow } from './call-rows.ts';

/** A call after a status change, with what its timeline entry needs. */
export interface TransitionedCall {
  row: CallRow;
  /** The campaign's status at this moment (null for direct calls). */
  campaignStatus: string | null;
  attempts: AttemptRow[];
}

/**
 * Applies a status change and takes the call's next event sequence number in ONE statement that
 * also returns the campaign's status and the call's attempts for the timeline entry — the
 * dialer writes a transition per step of every call, and this used to take five statements.
 * `from`: the states the call must be in for the change to apply (checked in the UPDATE, so
 * concurrent writers cannot overwrite each other's state); undefined when it was in none.
 */
export async function updateCallForTransition(
  db: Executor,
  tenantId: string,
  id: string,
  changes: Partial<Omit<CallRow, 'metadata' | 'decision'>> & { decision?: unknown },
  now: Date,
  from: readonly string[],
): Promise<TransitionedCall | undefined> {
  const { decision, ...rest } = changes;
  const result = await db
    .with('u', (qb) =>
      qb
        .updateTable('calls')
        .set({
          ...rest,
          ...(decision !== undefined ? { decision: JSON.stringify(decision) } : {}),
          updated_at: now,
          event_sequence: sql`event_sequence + 1`,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('status', 'in', from)
        .returningAll(),
    )
    .selectFrom('u')
    .selectAll('u')
    .select([
      sql<string | null>`(select p.data->>'status' from campaigns p
        where p.tenant_id = u.tenant_id and p.id = u.campaign_id)`.as('campaign_status_now'),
      sql<AttemptRow[]>`(select coalesce(jsonb_agg(to_jsonb(a) order by a.n), '[]'::jsonb)
        from call_attempts a where a.tenant_id = u.tenant_id and a.call_id = u.id)`.as('attempts_now'),
    ])
    .executeTakeFirst();
  if (!result) return undefined;
  const { campaign_status_now, attempts_now, ...row } = result;
  return { row: row as CallRow, campaignStatus: campaign_status_now, attempts: attempts_now };
}

/** Inserts a timeline entry whose sequence number the caller already took. */
export async function insertCallEvent(
  db: Executor,
  event: {
    tenantId: string;
    callId: string;
    campaignId: string | null;
    sequence: number;
    type: string;
    data: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('call_events')
    .values({
      tenant_id: event.tenantId,
      call_id: event.callId,
      campaign_id: event.campaignId,
      sequence: event.sequence,
      type: event.type,
      data: JSON.stringify(event.data),
    })
    .execute();
}
