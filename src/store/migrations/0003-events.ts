import { type Kysely, sql } from 'kysely';

/**
 * Generalises `call_events` into the event outbox of every subject (calls, campaigns, webhook
 * endpoints) and adds webhook delivery state.
 *
 * - `subject_type`/`subject_id` name what a non-call event is about; call events keep `call_id`
 *   (their per-call `sequence` is unchanged). Campaign and endpoint events have `call_id` null
 *   and a sequence per subject.
 * - `txid` (the writing transaction's id) gives readers a commit-safe order: rows are read in
 *   `(txid, id)` order and only once `txid` is older than every running transaction
 *   (`pg_snapshot_xmin`). Identity ids alone are handed out at insert, not at commit, so on a
 *   shared PostgreSQL a reader following `id` could step over a row that commits late.
 * - At most one terminal event per call is a unique index, not just a convention.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `alter table call_events alter column call_id drop not null`,
    `alter table call_events add column subject_type text not null default 'call'`,
    `alter table call_events add column subject_id text`,
    `alter table call_events add column txid xid8 not null default pg_current_xact_id()`,
    `create index call_events_order on call_events (txid, id)`,
    `create index call_events_tenant_order on call_events (tenant_id, txid, id)`,
    `create unique index call_events_subject_sequence on call_events (tenant_id, subject_type, subject_id, sequence)
      where call_id is null`,
    `create unique index call_events_one_terminal on call_events (tenant_id, call_id)
      where type in ('call.completed', 'call.failed', 'call.canceled', 'call.blocked')`,
    `create table outbox_cursors (
      name text primary key,
      txid xid8 not null,
      event_id bigint not null
    )`,
    `insert into outbox_cursors (name, txid, event_id) values ('webhooks', '0', 0)`,
    `create table webhook_deliveries (
      id bigint generated always as identity primary key,
      tenant_id text not null,
      endpoint_id text not null,
      event_id bigint not null,
      event_type text not null,
      subject text not null,
      sequence integer not null,
      status text not null default 'pending',
      attempts integer not null default 0,
      retry_base integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      lease_owner text,
      leased_until timestamptz,
      last_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      last_duration_ms integer,
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      unique (tenant_id, endpoint_id, event_id)
    )`,
    `create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`,
    `create index webhook_deliveries_order on webhook_deliveries (tenant_id, endpoint_id, subject, sequence)
      where status = 'pending'`,
    `create index webhook_deliveries_list on webhook_deliveries (tenant_id, endpoint_id, id)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
