import { type RawBuilder, sql } from 'kysely';
import type { CallsTable } from '../database.ts';

/** Every column of the calls table's type, in one fixed order (the table's). */
export const CALLS_TABLE_COLUMNS = [
  'tenant_id',
  'id',
  'seq',
  'kind',
  'campaign_id',
  'contact_id',
  'requested_user_id',
  'user_id',
  'to_number',
  'phone_type',
  'caller_id',
  'status',
  'outcome',
  'reason',
  'metadata',
  'outside_window',
  'not_before',
  'scheduled_for',
  'next_attempt_at',
  'attempts_made',
  'sandbox',
  'event_sequence',
  'lease_owner',
  'leased_until',
  'cancel_requested',
  'waiting_for_agent',
  'created_at',
  'updated_at',
  'trace_context',
] as const satisfies readonly (keyof CallsTable)[];

// A column added to the table type but not to the list above fails to compile here.
type Missing = Exclude<keyof CallsTable, (typeof CALLS_TABLE_COLUMNS)[number]>;
const complete: Missing extends never ? true : Missing = true;
void complete;

/**
 * The columns the store reads back for a call in the dialer's hot statements (claims, locks,
 * pre-dial facts, status changes): the table type's, and `disposition` (migration 0017) and
 * `dial_node` (0013), which it does not list. Not `decision` (migration 0002): a call's decisions
 * are its attempts' (call_attempts.decision) and, for its acceptance, its first timeline entry's
 * (`data.decision`); the copy the call row kept (~700 bytes of jsonb, rewritten at each attempt)
 * was read by nothing, and made every version of the row, which each status change writes anew,
 * about four times as wide (measured in PGlite: a status change 55 → 38 µs a row, a table of
 * 3,000 calls after 40 changes each 46 → 2.7 MB). Calls accepted since leave it null; rows of
 * older calls keep theirs until the column is dropped.
 */
const CALL_ROW_COLUMNS = [...CALLS_TABLE_COLUMNS, 'dial_node', 'disposition'];

/** Select lists already built, by alias ('' for none): a RawBuilder is immutable, so one serves every statement. */
const selectLists = new Map<string, RawBuilder<unknown>>();

/** The call row's columns as a select list, qualified by `alias` when given (`c.id, c.kind, …`). */
export function callRowColumns(alias?: string): RawBuilder<unknown> {
  let list = selectLists.get(alias ?? '');
  if (!list) {
    list = sql.join(CALL_ROW_COLUMNS.map((column) => sql.ref(alias ? `${alias}.${column}` : column)));
    selectLists.set(alias ?? '', list);
  }
  return list;
}

/**
 * The version of the row a statement reads, as `row_version` (its `xmin`: the transaction that
 * wrote this version of the row). Any write of the row by anyone makes a new version with
 * another `xmin`, so a copy that knows its version can be checked against the row in a WHERE.
 * A row frozen by vacuum reports another `xmin` too, which only costs a full read.
 */
export function callRowVersion(alias: string): RawBuilder<unknown> {
  return sql`${sql.ref(`${alias}.xmin`)}::text as row_version`;
}
