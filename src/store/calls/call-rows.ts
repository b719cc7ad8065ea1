import type { Selectable } from 'kysely';
import type { CallAttemptsTable, CallEventsTable, CallsTable } from '../database.ts';

/** A call row as read. */
export type CallRow = Selectable<CallsTable>;
/** An attempt row as read. */
export type AttemptRow = Selectable<CallAttemptsTable>;
/** A timeline row as read. */
export type CallEventRow = Selectable<CallEventsTable>;
