import { type Kysely, sql } from 'kysely';

/**
 * Console sign-in. console_passwords holds one scrypt hash per user (never the password), kept
 * apart from the user document so that no read of users can carry it out by mistake.
 * console_sessions holds one row per signed-in browser: the cookie is a random secret, stored
 * here only as its SHA-256, so a leaked table signs nobody in. A session ends at expires_at or
 * when ended_at is set (sign-out, password change, user disabled).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table console_passwords (
      tenant_id text not null,
      user_id text not null,
      hash text not null,
      updated_at timestamptz not null,
      primary key (tenant_id, user_id)
    )`.execute(db);
  await sql`
    create table console_sessions (
      id text primary key,
      secret_hash text not null unique,
      tenant_id text not null,
      user_id text not null,
      role text not null,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      ended_at timestamptz
    )`.execute(db);
  await sql`create index console_sessions_by_user on console_sessions (tenant_id, user_id)`.execute(db);
}
