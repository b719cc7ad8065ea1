import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** A non-call event: about a campaign, a webhook endpoint or a user (agent sessions). */
export interface SubjectEvent {
  tenantId: string;
  subjectType: 'campaign' | 'webhook_endpoint' | 'user';
  subjectId: string;
  /** Set on campaign events so `?campaignId=` filters find them. */
  campaignId: string | null;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Appends an event about a campaign, webhook endpoint or user to the outbox, with the subject's next
 * sequence number. Call it in the transaction that changes the subject, holding the subject's
 * row lock: the lock is what makes `max(sequence) + 1` safe (a unique index backs it up).
 */
export async function appendSubjectEvent(db: Executor, event: SubjectEvent): Promise<number> {
  const result = await sql<{ sequence: number }>`
    insert into call_events (tenant_id, call_id, campaign_id, subject_type, subject_id, sequence, type, data)
    select ${event.tenantId}, null, ${event.campaignId}, ${event.subjectType}, ${event.subjectId},
      coalesce(max(sequence), 0) + 1, ${event.type}, ${JSON.stringify(event.data)}::jsonb
    from call_events
    where tenant_id = ${event.tenantId} and subject_type = ${event.subjectType}
      and subject_id = ${event.subjectId} and call_id is null
    returning sequence`.execute(db);
  return Number(result.rows[0]?.sequence ?? 0);
}
