import {
  insertSession,
  type SessionChanges,
  type SessionRow,
  updateSession,
} from '../../store/agent-sessions/session-rows.ts';
import type { Executor } from '../../store/database.ts';
import { appendSubjectEvent } from '../../store/webhooks/append-subject-event.ts';
import { presentSession } from './present-session.ts';

/** Extra members of an agent.session_changed event (why it changed, which request did it). */
export type SessionEventExtra = Record<string, unknown>;

/**
 * Changes a session the caller holds locked and, when its status or campaigns changed, writes
 * `agent.session_changed` in the same transaction (the outbox). The subject is the user, so
 * `sequence` counts per user across their sessions; the session's row lock (one open session
 * per user) is what keeps that sequence safe, as for campaign events.
 */
export async function changeSession(
  tx: Executor,
  row: SessionRow,
  changes: SessionChanges,
  now: Date,
  extra: SessionEventExtra = {},
): Promise<SessionRow> {
  const updated = await updateSession(tx, row, changes, now);
  const campaignsChanged = JSON.stringify(updated.campaign_ids) !== JSON.stringify(row.campaign_ids);
  if (updated.status !== row.status || campaignsChanged)
    await appendSessionEvent(tx, updated, row.status, extra);
  return updated;
}

/** Inserts a new session (status starting) with its first agent.session_changed event. */
export async function openSession(
  tx: Executor,
  input: { tenantId: string; id: string; userId: string; campaignIds: string[] | null; now: Date },
  extra: SessionEventExtra = {},
): Promise<SessionRow> {
  const row = await insertSession(tx, input);
  await appendSessionEvent(tx, row, null, extra);
  return row;
}

async function appendSessionEvent(
  tx: Executor,
  row: SessionRow,
  from: string | null,
  extra: SessionEventExtra,
): Promise<void> {
  await appendSubjectEvent(tx, {
    tenantId: row.tenant_id,
    subjectType: 'user',
    subjectId: row.user_id,
    campaignId: null,
    type: 'agent.session_changed',
    data: { session: presentSession(row), from, to: row.status, ...extra },
  });
}
