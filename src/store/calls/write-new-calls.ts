import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { IdempotencyAnswer } from '../idempotency-keys.ts';
import { textArray } from '../text-array.ts';
import { CALLS_TABLE_COLUMNS } from './call-row-columns.ts';
import type { CallRow } from './call-rows.ts';

/** A call about to be inserted, with its first timeline entry. */
export interface NewCallRecord {
  row: Omit<CallRow, 'seq' | 'metadata'> & { metadata: Record<string, unknown> };
  event: { type: string; data: Record<string, unknown> };
}

/** Every column a new call row sets (all but the identity `seq`), in the table's order. */
const CALL_COLUMNS = CALLS_TABLE_COLUMNS.filter((column) => column !== 'seq');

/** A call the batch accepted, with the Idempotency-Key of its request, if any. */
export interface AcceptedCall {
  key: string | null;
  record: NewCallRecord;
}

/**
 * Writes an accept batch in ONE statement, so it needs no BEGIN/COMMIT round trips and is atomic
 * on its own: stores the keyed outcomes (a key that exists unexpired, or that a concurrent
 * transaction holds, is skipped; an expired one is taken over), then inserts the calls whose
 * request had no key or stored its key, with their first timeline entries. A call and the
 * answer its key replays therefore commit together or not at all. A taken call id fails the
 * whole statement (nothing is written). Returns the keys stored and the calls inserted, as
 * `tenantId/key` and `tenantId/id`. Rows travel as one jsonb parameter, and the keys and the
 * entries' documents as text arrays, so the text never changes.
 */
export async function writeAcceptedBatch(
  db: Executor,
  calls: readonly AcceptedCall[],
  answers: readonly IdempotencyAnswer[],
  ttlSeconds: number,
  now: Date,
): Promise<{ keys: Set<string>; calls: Set<string> }> {
  if (calls.length === 0 && answers.length === 0) return { keys: new Set(), calls: new Set() };
  const callItems = JSON.stringify(
    calls.map(({ key, record }) => ({ key, row: record.row, type: record.event.type })),
  );
  // The documents travel as text arrays, by position, into json columns that keep them as
  // written: inside the jsonb parameter each was parsed into jsonb first (text-array.ts).
  const eventData = textArray(calls.map(({ record }) => JSON.stringify(record.event.data)));
  const keyColumn = (value: (answer: IdempotencyAnswer) => string) => textArray(answers.map(value));
  const columns = sql.join(CALL_COLUMNS.map((column) => sql.ref(column)));
  const fromRow = sql.join(CALL_COLUMNS.map((column) => sql.ref(`r.${column}`)));
  const result = await sql<{ kind: 'key' | 'call'; tenant_id: string; id: string }>`
    with stored_keys as (
      insert into idempotency_keys (tenant_id, key, fingerprint, outcome, created_at, expires_at)
      select a.t, a.k, a.f, a.o::json, ${now}::timestamptz, ${now}::timestamptz + make_interval(secs => ${ttlSeconds})
      from unnest(
        ${keyColumn((a) => a.tenantId)}::text[], ${keyColumn((a) => a.key)}::text[],
        ${keyColumn((a) => a.fingerprint)}::text[], ${keyColumn((a) => JSON.stringify(a.outcome))}::text[]
      ) as a(t, k, f, o)
      on conflict (tenant_id, key) do update
        set fingerprint = excluded.fingerprint, outcome = excluded.outcome,
          created_at = excluded.created_at, expires_at = excluded.expires_at
        where idempotency_keys.expires_at <= ${now}::timestamptz
      returning tenant_id, key
    ),
    kept as (
      select i.item, i.ord, r.*
      from jsonb_array_elements(${callItems}::jsonb) with ordinality as i(item, ord),
        jsonb_populate_record(null::calls, i.item->'row') as r
      where i.item->>'key' is null
        or exists (select 1 from stored_keys s where s.tenant_id = r.tenant_id and s.key = i.item->>'key')
    ),
    new_calls as (
      insert into calls (${columns})
      select ${fromRow} from kept r
      returning tenant_id, id
    ),
    first_events as (
      insert into call_events (tenant_id, call_id, campaign_id, sequence, type, at, data)
      select k.tenant_id, k.id, k.campaign_id, 1, k.item->>'type', k.created_at, d.data::json
      from kept k
      join new_calls c on c.tenant_id = k.tenant_id and c.id = k.id
      join unnest(${eventData}::text[]) with ordinality as d(data, ord) on d.ord = k.ord
      returning 1
    )
    select 'key' as kind, tenant_id, key as id from stored_keys
    union all
    select 'call' as kind, tenant_id, id from new_calls`.execute(db);
  const keys = new Set<string>();
  const inserted = new Set<string>();
  for (const row of result.rows) (row.kind === 'key' ? keys : inserted).add(`${row.tenant_id}/${row.id}`);
  return { keys, calls: inserted };
}
