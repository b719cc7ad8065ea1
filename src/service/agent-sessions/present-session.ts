import type { AgentSession } from '../../contract/agent-sessions.ts';
import type { SessionRow } from '../../store/agent-sessions/session-rows.ts';

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

/** A session row as the API (and its agent.session_changed events) answer it. */
export function presentSession(row: SessionRow): AgentSession {
  const self = `/v1/users/${encodeURIComponent(row.user_id)}`;
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status as AgentSession['status'],
    campaignIds: row.campaign_ids ?? null,
    agentLeg: { state: row.leg_state as AgentSession['agentLeg']['state'], sipStatus: row.sip_status },
    state: row.agent_state as AgentSession['state'],
    stateSince: iso(row.state_since ?? row.started_at) ?? '',
    pauseReason: row.agent_state === 'paused' ? row.pause_reason : null,
    pauseRequested: row.pause_requested,
    wrapUpUntil: row.agent_state === 'wrap_up' ? iso(row.wrap_up_until) : null,
    stateCallId: row.state_call_id,
    currentCallId: row.current_call_id,
    callsHandled: row.calls_handled,
    startedAt: iso(row.started_at) ?? '',
    readyAt: iso(row.ready_at),
    endedAt: iso(row.ended_at),
    endReason: row.end_reason as AgentSession['endReason'],
    endDetail: row.end_detail,
    updatedAt: iso(row.updated_at) ?? '',
    links: {
      self: `${self}/session`,
      agentSession: `/v1/agent-sessions/${encodeURIComponent(row.id)}`,
      user: self,
      currentCall: row.current_call_id ? `/v1/calls/${row.current_call_id}` : null,
    },
  };
}
