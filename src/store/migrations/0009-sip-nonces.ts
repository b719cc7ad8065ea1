import { type Kysely, sql } from 'kysely';

/**
 * sip_nonce_uses: the highest nonce-count the registrar accepted per digest nonce, shared by
 * every node, so a captured REGISTER Authorization is refused when sent again (RFC 7616
 * §5.13). A row is useless once its nonce expired (seconds to a minute after issue): the
 * registrar prunes by expires_at, hence the index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sip_nonce_uses (
      nonce text primary key,
      nc bigint not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index sip_nonce_uses_expiry on sip_nonce_uses (expires_at)`.execute(db);
}
