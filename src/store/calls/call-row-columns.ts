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
  'decision',
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
 * pre-dial facts, status changes): every column but `decision`. The call's last decision record
 * (~800 bytes of jsonb) is written with the call and with each attempt, and nothing reads it back
 * from the call row (a call's decisions are presented from its attempts); as part of `c.*` it
 * travelled out of the store and through the row parser eight to ten times per bridged call.
 * `disposition` (migration 0017) and `dial_node` (0013), which the table type does not list, are
 * read as before.
 */
const CALL_ROW_COLUMNS = [
  ...CALLS_TABLE_COLUMNS.filter((column) => column !== 'decision'),
  'dial_node',
  'disposition',
];

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
