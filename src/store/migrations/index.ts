import type { Migration } from 'kysely/migration';
import * as initial from './0001-initial.ts';
import * as calls from './0002-calls.ts';

/**
 * Every migration, in order. Forward-only: a shipped migration is never edited; a change is a
 * new file. Names sort lexically, which is the order Kysely applies them in.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-calls': calls,
};
