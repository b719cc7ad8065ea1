import { type Kysely, sql } from 'kysely';

/**
 * audit_events.client_request_id: the X-Request-Id a client sent. pconn always generates the
 * request id itself (unique, never client-chosen); the client's own id is kept beside it and is
 * searchable (`GET /v1/audit-events?clientRequestId=`), hence the partial index per chain.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events add column client_request_id text`.execute(db);
  await sql`
    create index audit_events_client_request on audit_events (chain, client_request_id)
    where client_request_id is not null`.execute(db);
}
