import { type AcceptedCall, writeAcceptedBatch } from '../../store/calls/write-new-calls.ts';
import type { Executor } from '../../store/database.ts';
import type { IdempotencyAnswer } from '../../store/idempotency-keys.ts';
import type { StoreOperation } from '../../store/store-operation.ts';
import { type InlineContactWrite, writeInlineContacts } from './inline-contact.ts';

/** What an accept batch writes: its inline contacts, its calls with their first events, its keys' answers. */
export interface AcceptBatchWrite {
  contacts: readonly InlineContactWrite[];
  calls: readonly AcceptedCall[];
  answers: readonly IdempotencyAnswer[];
  ttlSeconds: number;
  now: Date;
}

async function write(
  db: Executor,
  batch: AcceptBatchWrite,
): Promise<{ keys: Set<string>; calls: Set<string> }> {
  await writeInlineContacts(db, batch.contacts);
  return writeAcceptedBatch(db, batch.calls, batch.answers, batch.ttlSeconds, batch.now);
}

/**
 * An accept batch's write, where the store runs (on the embedded store: one message to its
 * thread, where a transaction sent statement by statement held PGlite's one session across
 * three round trips). With inline contacts it is one transaction of two statements, else the
 * single statement of writeAcceptedBatch. Answers the keys stored and the calls inserted.
 */
export const writeAcceptBatchOperation: StoreOperation<
  AcceptBatchWrite,
  { keys: Set<string>; calls: Set<string> }
> = {
  name: 'calls.write-accept-batch',
  inserts: ['contacts', 'idempotency_keys', 'calls', 'call_events'],
  run: (db, batch) =>
    batch.contacts.length > 0 ? db.transaction().execute((tx) => write(tx, batch)) : write(db, batch),
};
