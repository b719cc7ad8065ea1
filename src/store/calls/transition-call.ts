import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { textArray } from '../text-array.ts';
import { callRowColumns, callRowVersion } from './call-row-columns.ts';
import type { AttemptRow, CallRow } from './call-rows.ts';
import { keyProbe } from './key-probes.ts';

/** A call after a status change, with what its timeline entry needs. */
export interface TransitionedCall {
  row: CallRow;
  /** The campaign's status at this moment (null for direct calls). */
  campaignStatus: string | null;
  attempts: AttemptRow[];
}

/** The columns a status change may set besides the status (CHANGEABLE_TYPES gives each its SQL type). */
export type TransitionChanges = Partial<
  Pick<
    CallRow,
    | 'attempts_made'
    | 'user_id'
    | 'lease_owner'
    | 'leased_until'
    | 'outcome'
    | 'next_attempt_at'
    | 'scheduled_for'
    | 'waiting_for_agent'
  >
>;

/** One call's status change in a batch. */
export interface CallTransition {
  tenantId: string;
  id: string;
  status: string;
  changes: TransitionChanges;
  /** The states the call must be in for the change to apply (checked in the UPDATE). */
  from: readonly string[];
  /**
   * The caller's copy of the call. When it was read with its version (`row_version`) and no one
   * has written the row since, the answer is this copy with the columns the change sets read
   * back, instead of the whole row.
   */
  known?: CallRow;
}

/**
 * The columns a status change may set besides the status, with their SQL types: the UPDATE sets
 * each from the change's `ch` (a column the step does not name keeps its value; JSON null sets
 * SQL null; `ch` is jsonb, so `?` tells a key it lacks from a JSON null).
 */
const CHANGEABLE_TYPES = {
  attempts_made: 'int',
  user_id: 'text',
  lease_owner: 'text',
  leased_until: 'timestamptz',
  outcome: 'text',
  next_attempt_at: 'timestamptz',
  scheduled_for: 'timestamptz',
  waiting_for_agent: 'boolean',
} as const satisfies Record<keyof TransitionChanges, string>;
const changeable = new Set<string>(Object.keys(CHANGEABLE_TYPES));
const SET_CHANGES = sql.join(
  Object.entries(CHANGEABLE_TYPES).map(([column, type]) =>
    sql.raw(
      `${column} = case when v.ch ? '${column}' then (v.ch->>'${column}')::${type} else c.${column} end`,
    ),
  ),
);

/** The columns every status change sets: what an answer from a known copy reads back. */
type SetColumns = Pick<CallRow, 'status' | keyof TransitionChanges | 'updated_at' | 'event_sequence'>;
/** What an answer from a known copy reads back: the keys the answer's subqueries use, and SetColumns. */
const KNOWN_COPY_RETURNING = sql.join(
  [
    'tenant_id',
    'id',
    'campaign_id',
    'status',
    ...Object.keys(CHANGEABLE_TYPES),
    'updated_at',
    'event_sequence',
  ].map((column) => sql.ref(`c.${column}`)),
);

/**
 * Applies the status changes of many calls and takes each call's next event sequence number,
 * returning for each the campaign's status and the call's attempts for its timeline entry. Each
 * row's allowed predecessors are checked by the UPDATE itself, so concurrent writers (a cancel
 * and a dial) cannot both win. The answer is in the order of `transitions`: undefined for a call
 * that was in none of its `from` states. A call may appear at most once (one UPDATE cannot change
 * a row twice).
 *
 * Calls whose caller knows their row version go first, in ONE statement that changes a row only
 * if it is still that version (checked in the WHERE, so PostgreSQL re-checks it against a
 * version committed meanwhile) and reads back only the columns a change sets: the others are the
 * caller's copy's. Reading back the whole row (31 columns, the metadata and trace context among
 * them) made a status change ~11 % dearer in PGlite and ~10 % on PostgreSQL (docs/performance.md,
 * session 29). The rest, and any call whose row was written since its copy was read, go in a
 * second statement that returns whole rows. Each statement's text is the same for any batch
 * (attempt-batches.ts says why that matters).
 */
export async function updateCallsForTransition(
  db: Executor,
  transitions: readonly CallTransition[],
  now: Date,
): Promise<(TransitionedCall | undefined)[]> {
  if (transitions.length === 0) return [];
  for (const t of transitions)
    for (const key of Object.keys(t.changes))
      if (!changeable.has(key)) throw new Error(`a transition cannot set calls.${key}`);
  const answers: (TransitionedCall | undefined)[] = transitions.map(() => undefined);
  const versioned = transitions.flatMap((t, i) => (t.known?.row_version ? [i] : []));
  if (versioned.length > 0) {
    const rows = await runTransitions<SetColumns>(db, versioned, transitions, now, 'known');
    for (const { ord, campaign_status_now, attempts_now, ...set } of rows) {
      const i = versioned[ord] as number;
      const known = transitions[i]?.known as CallRow;
      answers[i] = { row: { ...known, ...set }, campaignStatus: campaign_status_now, attempts: attempts_now };
    }
  }
  const rest = transitions.flatMap((_, i) => (answers[i] ? [] : [i]));
  if (rest.length > 0) {
    const rows = await runTransitions<CallRow>(db, rest, transitions, now, 'whole');
    for (const { ord, campaign_status_now, attempts_now, ...row } of rows)
      answers[rest[ord] as number] = {
        row: row as CallRow,
        campaignStatus: campaign_status_now,
        attempts: attempts_now,
      };
  }
  return answers;
}

/**
 * One set-based UPDATE for the transitions at `indexes` (`UPDATE calls … FROM
 * jsonb_to_recordset(…)`), answering rows by their position in `indexes`. `known`: only rows
 * still at the caller's version change, and the columns set are returned; `whole`: the whole row.
 */
async function runTransitions<Returned>(
  db: Executor,
  indexes: readonly number[],
  transitions: readonly CallTransition[],
  now: Date,
  answer: 'known' | 'whole',
) {
  // Dates in `ch` become ISO strings, as JSON.stringify writes them; `from_statuses` is a jsonb
  // array for `?`.
  const items = JSON.stringify(
    indexes.map((index, ord) => {
      const t = transitions[index] as CallTransition;
      return {
        ord,
        tenant_id: t.tenantId,
        id: t.id,
        status: t.status,
        from_statuses: t.from,
        ch: t.changes,
        row_version: answer === 'known' ? t.known?.row_version : null,
      };
    }),
  );
  const returned = answer === 'known' ? KNOWN_COPY_RETURNING : callRowColumns('c');
  const result = await sql<
    Returned & { ord: number; campaign_status_now: string | null; attempts_now: AttemptRow[] }
  >`
    with v as (
      select * from jsonb_to_recordset(${items}::jsonb)
        as j(ord int, tenant_id text, id text, status text, from_statuses jsonb, ch jsonb, row_version text)
    ),
    u as (
      update calls c set
        status = v.status,
        ${SET_CHANGES},
        updated_at = ${now},
        event_sequence = c.event_sequence + 1
      from v
      where c.tenant_id = v.tenant_id and c.id = v.id and v.from_statuses ? c.status
        ${answer === 'known' ? sql`and c.xmin::text = v.row_version` : sql``}
        and ${keyProbe('c', { tenant: 'tenant_id', id: 'id' }, sql`(select tenant_id as tenant, id from v)`)}
      returning ${returned}, ${callRowVersion('c')}, v.ord
    )
    select u.*,
      (select p.status from campaigns p
        where p.tenant_id = u.tenant_id and p.id = u.campaign_id) as campaign_status_now,
      -- As json text: built as jsonb it was assembled in binary only to be printed as text for
      -- the answer (PGlite, 60 calls' attempts: 44 → 29 µs a call; the same keys and values).
      (select coalesce(json_agg(a order by a.n), '[]'::json)
        from call_attempts a where a.tenant_id = u.tenant_id and a.call_id = u.id) as attempts_now
    from u`.execute(db);
  return result.rows;
}

/** A timeline entry whose sequence number the caller already took. */
export interface NewCallEvent {
  tenantId: string;
  callId: string;
  campaignId: string | null;
  sequence: number;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Inserts many timeline entries in one statement, its text the same for any number of them: each
 * column travels as one text[] (text-array.ts), `data` as the JSON text given, which the json
 * column keeps as it is. They are inserted in the order given (their ids follow it).
 */
export async function insertCallEvents(db: Executor, events: readonly NewCallEvent[]): Promise<void> {
  if (events.length === 0) return;
  const column = (value: (event: NewCallEvent) => string | null) => textArray(events.map(value));
  await sql`
    insert into call_events (tenant_id, call_id, campaign_id, sequence, type, data)
    select e.tenant_id, e.call_id, e.campaign_id, e.sequence::int, e.type, e.data::json
    from unnest(
      ${column((event) => event.tenantId)}::text[], ${column((event) => event.callId)}::text[],
      ${column((event) => event.campaignId)}::text[], ${column((event) => String(event.sequence))}::text[],
      ${column((event) => event.type)}::text[], ${column((event) => JSON.stringify(event.data))}::text[]
    ) with ordinality as e(tenant_id, call_id, campaign_id, sequence, type, data, ord)
    order by e.ord`.execute(db);
}
