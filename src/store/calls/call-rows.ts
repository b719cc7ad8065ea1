import type { Selectable } from 'kysely';
import type { CallAttemptsTable, CallEventsTable, CallsTable } from '../database.ts';

/** A call row as read (its `decision` is not read back: call-row-columns.ts). */
export type CallRow = Omit<Selectable<CallsTable>, 'decision'>;
/** An attempt row as read. */
export type AttemptRow = Selectable<CallAttemptsTable>;
/** A timeline row as read. */
export type CallEventRow = Selectable<CallEventsTable>;
