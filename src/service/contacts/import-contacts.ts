import { randomUUID } from 'node:crypto';
import type { ContactInput } from '../../contract/contacts.ts';
import { newId } from '../../domain/ids.ts';
import type { FieldError } from '../../domain/pconn-error.ts';
import { NotFoundError, PconnError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import {
  commitStagedLines,
  discardStagedLines,
  lastStagedLine,
  type StagedContact,
  stageContacts,
} from '../../store/contact-import.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { EventLoopTurns } from '../event-loop-turns.ts';
import { FieldErrors } from '../field-errors.ts';
import { ImportProblems } from '../import-problems.ts';
import { checkPhoneTypes, contactFromInput } from '../resources/contacts.ts';
import type { ImportRecord } from './import-formats.ts';

/** Validates one record against the contact schema; returns its problems (empty = valid). */
export type ContactValidator = (value: unknown) => FieldError[];

/** Rows per staging insert (and all the import holds in memory at once). */
const BATCH = 500;
/**
 * Lines per commit statement (×4 per discard). Each statement holds the embedded store, and with
 * it the event loop, for its whole run: ~50 ms at this size, where 2,500 lines (and batches of
 * 1,000) let a loaded machine hold /healthz for ~0.8 s. Smaller statements were faster overall.
 */
const CHUNK = 1000;

const campaigns = new ResourceRepository('campaigns');

/**
 * Imports contacts from a stream of records. Schema-valid rows go to a staging table in
 * batches as they arrive, where a unique index finds repeated externalIds; only when every row
 * is valid are they moved into contacts — and the campaign — in one transaction, chunk by
 * chunk. Any invalid row rejects the whole import with every problem listed by line (up to
 * 100), and nothing is imported. Memory stays flat however long the file: nothing grows with
 * the row count (the records are pulled one at a time, so a slow store slows the upload
 * instead of buffering it), and the event loop gets a turn every few milliseconds.
 *
 * When the client goes away mid-upload (the records end with `client_closed_request`), the
 * staged rows are deleted at once and that error is rethrown with what was read, staged and
 * discarded, for the log and the audit trail.
 */
export async function importContacts(
  db: Db,
  ctx: RequestContext,
  records: AsyncIterable<ImportRecord>,
  validate: ContactValidator,
  campaignId?: string,
): Promise<{ rows: number; created: number; updated: number; addedToCampaign: number }> {
  if (campaignId !== undefined && !(await campaigns.find(db, ctx.tenant.id, campaignId))) {
    throw new NotFoundError('campaign', campaignId);
  }
  const importId = randomUUID();
  const problems = new ImportProblems();
  const turns = new EventLoopTurns();
  let rows = 0;
  let staged = 0;
  let batch: StagedContact[] = [];
  // Problems of the rows in `batch`, reported in line order once its duplicates are known.
  let batchProblems: FieldError[] = [];
  const flush = async () => {
    const duplicates = await stageContacts(db, importId, ctx.tenant.id, batch);
    staged += batch.length - duplicates.length;
    for (const row of duplicates) {
      batchProblems.push({
        line: row.line,
        pointer: '/externalId',
        code: 'duplicate',
        detail: `externalId '${row.externalId}' already appears on line ${row.firstLine}.`,
      });
    }
    for (const problem of batchProblems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) problems.add(problem);
    batch = [];
    batchProblems = [];
  };
  let discarded: number | undefined;
  try {
    for await (const record of records) {
      rows++;
      if ('error' in record) {
        batchProblems.push({ line: record.line, pointer: '', code: 'format', detail: record.error });
      } else {
        const found = validate(record.value);
        if (found.length === 0) {
          const input = record.value as ContactInput;
          const checks = new FieldErrors();
          checkPhoneTypes(checks, input.phoneNumbers ?? [], ctx.tenant.phoneTypes);
          found.push(...checks.list);
          // Staged even when invalid (the import then fails anyway): later lines with the same
          // externalId are reported as duplicates of this one.
          batch.push({
            line: record.line,
            contactId: newId('contact'),
            externalId: input.externalId,
            data: { ...contactFromInput(input, ctx.now) },
          });
        }
        for (const problem of found) batchProblems.push({ ...problem, line: record.line });
      }
      // Problems are bounded too: a file of nothing but bad rows stages nothing.
      if (batch.length >= BATCH || batchProblems.length >= BATCH) await flush();
      await turns.turn();
    }
    await flush();
    problems.throwIfAny(rows);
    const lastLine = await lastStagedLine(db, importId);
    const counts = await db.transaction().execute(async (tx) => {
      const total = { created: 0, updated: 0, addedToCampaign: 0 };
      for (let after = 0; after < lastLine; after += CHUNK) {
        const chunk = await commitStagedLines(tx, importId, ctx.tenant.id, campaignId, ctx.now, after, CHUNK);
        total.created += chunk.created;
        total.updated += chunk.updated;
        total.addedToCampaign += chunk.addedToCampaign;
        await turns.turn();
      }
      return total;
    });
    return { rows, ...counts };
  } catch (error) {
    if (!(error instanceof PconnError) || error.code !== 'client_closed_request') throw error;
    discarded = await discard(db, importId, turns);
    throw new PconnError('client_closed_request', error.detail, {
      cause: error,
      extensions: {
        outcome: 'aborted_by_client',
        rowsRead: rows,
        rowsStaged: staged,
        rowsDiscarded: discarded,
      },
    });
  } finally {
    if (discarded === undefined) await discard(db, importId, turns);
  }
}

/** Deletes an import's staging rows, range by range; returns how many there were. */
async function discard(db: Db, importId: string, turns: EventLoopTurns): Promise<number> {
  const lastLine = await lastStagedLine(db, importId);
  let total = 0;
  for (let after = 0; after < lastLine; after += CHUNK * 4) {
    total += await discardStagedLines(db, importId, after, CHUNK * 4);
    await turns.turn();
  }
  return total;
}
