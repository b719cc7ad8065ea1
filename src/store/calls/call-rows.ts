import type { Selectable } from 'kysely';
import type { CallAttemptsTable, CallEventsTable, CallsTable } from '../database.ts';

/**
 * A call row as read (its `decision` is not read back: call-row-columns.ts). `row_version` is
 * the version of the row the copy was read at (PostgreSQL's `xmin`, callRowVersion), when the
 * statement that read it asked: a status change of a copy whose row no one has written since
 * reads back only the columns it sets (transition-call.ts).
 */
export type CallRow = Omit<Selectable<CallsTable>, 'decision'> & { row_version?: string };
/** An attempt row as read. */
export type AttemptRow = Selectable<CallAttemptsTable>;
/** A timeline row as read. */
export type CallEventRow = Selectable<CallEventsTable>;
