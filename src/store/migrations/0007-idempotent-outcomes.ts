import { type Kysely, sql } from 'kysely';

/**
 * Idempotency keys store the request's domain outcome (the accepted call, or the refusal) and
 * are written in the same statement as the call, so there is no in-flight state any more: a
 * key either holds its answer or does not exist. Stored HTTP answers are converted; in-flight
 * claims (of requests that died mid-way under the old scheme) are dropped, so a retry runs.
 * Calls gain `waiting_for_agent`, set while the dialer finds no free agent for them, so the
 * `call.waiting_for_agent` event is written once per wait.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'alter table idempotency_keys add column outcome jsonb',
    `update idempotency_keys set outcome = case
       when response_status < 400 then jsonb_build_object('kind', 'accepted', 'call', response_body)
       else jsonb_build_object('kind', 'refused', 'error', jsonb_strip_nulls(jsonb_build_object(
         'code', response_body->'code', 'detail', response_body->'detail',
         'pointer', response_body->'pointer', 'errors', response_body->'errors',
         'retryable', response_body->'retryable',
         'extensions', response_body - 'type' - 'title' - 'status' - 'requestId' - 'instance'
           - 'code' - 'detail' - 'pointer' - 'errors' - 'retryable')))
     end
     where state = 'done'`,
    `delete from idempotency_keys where state <> 'done'`,
    'alter table idempotency_keys alter column outcome set not null',
    'alter table idempotency_keys drop column state, drop column response_status, drop column response_body',
    'alter table calls add column waiting_for_agent boolean not null default false',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
