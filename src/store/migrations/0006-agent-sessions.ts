import { type Kysely, sql } from 'kysely';

/**
 * agent_sessions: personal-connection sessions (PUT/DELETE /v1/users/{id}/session). A row is
 * the durable half of a session; the agent's leg itself lives in one node's memory, named by
 * `lease_owner` and kept by `leased_until` — a node that stops renewing it (crash, restart)
 * has lost the leg, and any node then marks the session ended. Ended rows stay as history
 * (GET answers the newest); one non-ended session per user is a unique index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `create table agent_sessions (
      tenant_id text not null references tenants(id),
      id text not null,
      user_id text not null,
      campaign_ids jsonb,
      status text not null,
      leg_state text not null default 'pending',
      current_call_id text,
      calls_handled integer not null default 0,
      lease_owner text,
      leased_until timestamptz,
      end_reason text,
      end_detail text,
      sip_status integer,
      started_at timestamptz not null default now(),
      ready_at timestamptz,
      ended_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id)
    )`,
    `create unique index agent_sessions_one_active on agent_sessions (tenant_id, user_id) where status <> 'ended'`,
    `create index agent_sessions_latest on agent_sessions (tenant_id, user_id, started_at desc)`,
    `create index agent_sessions_open on agent_sessions (status, leased_until) where status <> 'ended'`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
