import type { Executor } from './database.ts';

/**
 * Runs several reads against one snapshot (a read-only REPEATABLE READ transaction), so what
 * they return is one committed state: a call and its attempts read in two statements could
 * otherwise straddle the commit of the attempt's end and show an ended attempt on a call still
 * `dialing_contact`. Inside a transaction already, the reads simply join it.
 */
export function inReadSnapshot<T>(db: Executor, reads: (tx: Executor) => Promise<T>): Promise<T> {
  if (db.isTransaction) return reads(db);
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(reads);
}
