import type { Call } from '../../contract/calls.ts';
import { dispositionOf } from '../../store/calls/call-disposition.ts';
import type { AttemptRow, CallRow } from '../../store/calls/call-rows.ts';

// A Date (every new call's instants) is formatted as it is; text from a row is parsed first.
const iso = (value: Date | string | null): string | null =>
  value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();

/**
 * A call row and its attempts as the API answers them. `seq` is not part of the answer, so a
 * row about to be inserted (which has none yet) is presented as it is, without a copy.
 */
export function presentCall(row: Omit<CallRow, 'seq'>, attempts: readonly AttemptRow[]): Call {
  return {
    id: row.id,
    kind: row.kind,
    campaignId: row.campaign_id,
    contactId: row.contact_id,
    userId: row.user_id ?? row.requested_user_id,
    to: row.to_number,
    phoneType: row.phone_type,
    callerId: row.caller_id,
    status: row.status,
    outcome: row.outcome,
    reason: row.reason,
    metadata: row.metadata,
    sandbox: row.sandbox,
    createdAt: iso(row.created_at) ?? '',
    updatedAt: iso(row.updated_at) ?? '',
    scheduledFor:
      row.status === 'scheduled' ? iso(row.scheduled_for ?? row.next_attempt_at) : iso(row.scheduled_for),
    attempts: attempts.map((a) => ({
      n: a.n,
      startedAt: iso(a.started_at) ?? '',
      endedAt: iso(a.ended_at),
      outcome: a.outcome,
      sipStatus: a.sip_status,
      sipReason: a.sip_reason,
      userId: a.user_id,
      decision: a.decision as Call['attempts'][number]['decision'],
      contactAnsweredAt: iso(a.contact_answered_at ?? null),
      analysis: (a.analysis ?? null) as Call['attempts'][number]['analysis'],
      media: (a.media ?? null) as Call['attempts'][number]['media'],
      abandonPromptPlayedAt: iso(a.abandon_prompt_played_at ?? null),
      machineMessagePlayedAt: iso(a.machine_message_played_at ?? null),
      agentConnectedAt: iso(a.agent_connected_at ?? null),
    })),
    disposition: dispositionOf(row as CallRow),
    links: { self: `/v1/calls/${row.id}`, events: `/v1/calls/${row.id}/events` },
  };
}
