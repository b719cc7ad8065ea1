import { type Kysely, sql } from 'kysely';

/**
 * prompts: audio uploaded through the API and played into calls (the abandon message, the message
 * left on a machine, comfort audio). Stored once in the form it is played in — 8 kHz 16-bit mono
 * PCM, little-endian — so no call ever decodes or resamples; `source` says what was uploaded and
 * `source_sha256` makes a repeated PUT of the same file a no-op.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table prompts (
      tenant_id text not null references tenants (id),
      id text not null,
      name text,
      audio bytea not null,
      duration_ms integer not null,
      source jsonb not null,
      source_sha256 text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (tenant_id, id)
    )`.execute(db);
}
