import { type Kysely, sql } from 'kysely';

/** Tenants, OAuth clients, signing keys, the audit trail and the config resources. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await statements(
    db,
    `
    create table tenants (
      id text primary key,
      name text not null,
      default_region text not null default 'US',
      phone_types jsonb not null default '["mobile","home","work","other"]',
      created_at timestamptz not null default now()
    );
    create table clients (
      tenant_id text not null references tenants(id),
      id text primary key,
      name text not null,
      secret_hash text not null,
      scopes jsonb not null,
      status text not null default 'active',
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );
    create index clients_tenant on clients (tenant_id, created_at);
    create table signing_keys (
      kid text primary key,
      private_jwk jsonb not null,
      public_jwk jsonb not null,
      created_at timestamptz not null default now(),
      retires_at timestamptz not null,
      expires_at timestamptz not null
    );
    create table audit_events (
      chain text not null,
      sequence bigint not null,
      tenant_id text,
      request_id text not null,
      client_id text,
      method text not null,
      route text not null,
      path text not null,
      status integer not null,
      code text,
      duration_ms double precision not null,
      ip text,
      user_agent text,
      body_digest text,
      body jsonb,
      problem jsonb,
      at timestamptz not null,
      prev_hash text not null,
      hash text not null,
      primary key (chain, sequence)
    );
    create index audit_events_request on audit_events (request_id);
    create index audit_events_tenant_at on audit_events (tenant_id, at);
    create table audit_chain_heads (
      chain text primary key,
      sequence bigint not null,
      hash text not null
    );
    create table contact_import_rows (
      import_id text not null,
      tenant_id text not null,
      line integer not null,
      contact_id text not null,
      external_id text not null,
      data jsonb not null,
      created_at timestamptz not null default now(),
      primary key (import_id, line)
    );
  `,
  );
  for (const table of ['campaigns', 'contacts', 'users', 'caller_ids', 'trunks', 'webhook_endpoints']) {
    await sql`
      create table ${sql.table(table)} (
        tenant_id text not null references tenants(id),
        id text not null,
        seq bigint generated always as identity,
        data jsonb not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`.execute(db);
    await sql`create index ${sql.raw(`${table}_list`)} on ${sql.table(table)} (tenant_id, seq)`.execute(db);
  }
  await statements(
    db,
    `
    alter table contacts add column external_id text not null;
    create unique index contacts_external_id on contacts (tenant_id, external_id);
    create table campaign_contacts (
      tenant_id text not null,
      campaign_id text not null,
      contact_id text not null,
      added_at timestamptz not null default now(),
      primary key (tenant_id, campaign_id, contact_id),
      foreign key (tenant_id, campaign_id) references campaigns (tenant_id, id) on delete cascade,
      foreign key (tenant_id, contact_id) references contacts (tenant_id, id) on delete cascade
    );
    create index campaign_contacts_contact on campaign_contacts (tenant_id, contact_id);
  `,
  );
}

/** Runs a script of `;`-terminated statements one at a time (prepared statements take one command). */
async function statements(db: Kysely<unknown>, script: string): Promise<void> {
  for (const statement of script.split(/;\s*\n/)) {
    if (statement.trim() !== '') await sql.raw(statement).execute(db);
  }
}
