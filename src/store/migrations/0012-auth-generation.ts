import { type Kysely, sql } from 'kysely';

/**
 * auth_generation: one counter every node reads (at most every PCONN_AUTH_RECHECK_MS) to learn
 * that some credential was taken back — a client revoked — so it forgets the access tokens it
 * had verified and cached. One row, bumped in the same statement as the revocation: a node that
 * sees the new generation also sees the revoked client.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table auth_generation (
      id int primary key check (id = 1),
      generation bigint not null
    )`.execute(db);
  await sql`insert into auth_generation (id, generation) values (1, 0)`.execute(db);
}
