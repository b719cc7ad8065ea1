import { type Kysely, sql } from 'kysely';

/**
 * Agent states of personal-connection sessions (issue 17): the state of the dialing cycle
 * (`available|reserved|on_call|wrap_up|paused`, src/domain/agent-state.ts) is persisted with the
 * session row, so routing reads it in SQL and a restart keeps it. `wrap_up_until` is the instant
 * wrap-up times out (a sweep applies it: no timer has to survive a restart); `pause_requested`
 * holds a pause asked for during a call, applied when its wrap-up ends. `offer_*` name the
 * preview call offered to the agent and until when (one offer per call: a unique index).
 * calls.disposition holds the agent's disposition (`{code, notes, userId, sessionId, at}`; new
 * rows never set it, so it stays out of the accept path's column list and is read by
 * store/calls/call-disposition.ts); call_offer_skips keeps a skipped preview call away from the
 * agent who skipped it for a while.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `alter table agent_sessions
      add column agent_state text not null default 'available',
      add column state_since timestamptz,
      add column state_call_id text,
      add column pause_reason text,
      add column pause_requested text,
      add column wrap_up_until timestamptz,
      add column offered_call_id text,
      add column offer_expires_at timestamptz`,
    `create unique index agent_sessions_one_offer on agent_sessions (tenant_id, offered_call_id)
      where offered_call_id is not null and status <> 'ended'`,
    // The routing read's longest-idle probe: available agents of ready sessions on one node.
    `create index agent_sessions_idle on agent_sessions (tenant_id, lease_owner, state_since)
      where status = 'ready' and agent_state = 'available'`,
    `alter table calls add column disposition jsonb`,
    `create table call_offer_skips (
      tenant_id text not null,
      call_id text not null,
      session_id text not null,
      until timestamptz not null,
      primary key (tenant_id, call_id, session_id)
    )`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
