import { type Kysely, sql } from 'kysely';

/** Calls, their attempts and timeline, idempotency keys and the tenant DNC list. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `create table calls (
      tenant_id text not null references tenants(id),
      id text not null,
      seq bigint generated always as identity,
      kind text not null,
      campaign_id text,
      contact_id text,
      requested_user_id text,
      user_id text,
      to_number text not null,
      phone_type text,
      caller_id text,
      status text not null,
      outcome text,
      reason text,
      metadata jsonb not null default '{}',
      outside_window text not null,
      not_before timestamptz,
      scheduled_for timestamptz,
      next_attempt_at timestamptz not null,
      attempts_made integer not null default 0,
      decision jsonb,
      sandbox boolean not null default false,
      event_sequence integer not null default 0,
      lease_owner text,
      leased_until timestamptz,
      cancel_requested boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id)
    )`,
    `create index calls_due on calls (next_attempt_at) where status in ('queued', 'scheduled')`,
    `create index calls_live on calls (leased_until) where status in ('dialing_user', 'dialing_contact', 'connected')`,
    `create index calls_list on calls (tenant_id, seq)`,
    `create index calls_campaign on calls (tenant_id, campaign_id, seq)`,
    `create index calls_user_live on calls (tenant_id, user_id) where status in ('dialing_user', 'dialing_contact', 'connected')`,
    `create table call_attempts (
      tenant_id text not null,
      call_id text not null,
      n integer not null,
      user_id text,
      started_at timestamptz not null,
      ended_at timestamptz,
      outcome text,
      sip_status integer,
      sip_reason text,
      decision jsonb not null,
      driver text not null,
      primary key (tenant_id, call_id, n)
    )`,
    `create table call_events (
      id bigint generated always as identity primary key,
      tenant_id text not null,
      call_id text not null,
      campaign_id text,
      sequence integer not null,
      type text not null,
      at timestamptz not null default now(),
      data jsonb not null,
      unique (tenant_id, call_id, sequence)
    )`,
    `create table idempotency_keys (
      tenant_id text not null,
      key text not null,
      fingerprint text not null,
      state text not null,
      response_status integer,
      response_body jsonb,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (tenant_id, key)
    )`,
    `create index idempotency_keys_expiry on idempotency_keys (expires_at)`,
    `create table dnc_numbers (
      tenant_id text not null references tenants(id),
      number text not null,
      reason text,
      created_at timestamptz not null default now(),
      primary key (tenant_id, number)
    )`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
