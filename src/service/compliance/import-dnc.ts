import { PconnError } from '../../domain/pconn-error.ts';
import { checkPhoneNumber } from '../../domain/phone-number.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { putDncMany } from '../../store/calls/dnc.ts';
import type { Db } from '../../store/database.ts';
import type { ImportRecord } from '../contacts/import-formats.ts';
import { EventLoopTurns } from '../event-loop-turns.ts';
import { ImportProblems } from '../import-problems.ts';

const MAX_ROWS = 1_000_000;
const BATCH = 1000;

/**
 * Bulk DNC import: every row is checked (E.164, reason ≤ 200 characters) while the file
 * streams; any bad row rejects the whole import with line numbers, and nothing is added.
 * Valid rows are kept as compact pairs (a million numbers is ~50 MB, the most an import may
 * hold: MAX_ROWS) and written in one transaction, so a DNC list is never half-imported. The
 * event loop gets a turn every few milliseconds; a client hanging up mid-upload ends the import
 * at once (`client_closed_request`, nothing was written yet).
 */
export async function importDnc(
  db: Db,
  ctx: RequestContext,
  records: AsyncIterable<ImportRecord>,
): Promise<{ rows: number; added: number; updated: number }> {
  const valid: Array<{ number: string; reason: string | null }> = [];
  const problems = new ImportProblems();
  const turns = new EventLoopTurns();
  let rows = 0;
  try {
    for await (const record of records) {
      rows++;
      await turns.turn();
      if (!check(record)) break;
    }
  } catch (error) {
    if (!(error instanceof PconnError) || error.code !== 'client_closed_request') throw error;
    throw new PconnError('client_closed_request', error.detail, {
      cause: error,
      extensions: { outcome: 'aborted_by_client', rowsRead: rows, rowsStaged: 0, rowsDiscarded: 0 },
    });
  }
  problems.throwIfAny(rows);
  const added = await db.transaction().execute(async (tx) => {
    let count = 0;
    for (let i = 0; i < valid.length; i += BATCH) {
      count += await putDncMany(tx, ctx.tenant.id, dedupe(valid.slice(i, i + BATCH)));
      await turns.turn();
    }
    return count;
  });
  return { rows, added, updated: valid.length - added };

  /** Checks one row, keeping it when valid; false once the import has too many rows. */
  function check(record: ImportRecord): boolean {
    if (rows > MAX_ROWS) {
      problems.add({
        line: record.line,
        pointer: '',
        code: 'too_large',
        detail: `Imports take at most ${MAX_ROWS} rows; split the file.`,
      });
      return false;
    }
    if ('error' in record) {
      problems.add({ line: record.line, pointer: '', code: 'format', detail: record.error });
      return true;
    }
    const value = record.value as { number?: unknown; reason?: unknown };
    const raw = typeof value?.number === 'string' ? value.number : undefined;
    if (raw === undefined) {
      problems.add({
        line: record.line,
        pointer: '/number',
        code: 'required',
        detail: "'number' is required.",
      });
      return true;
    }
    const phone = checkPhoneNumber(raw, ctx.tenant.defaultRegion);
    if (!phone.ok) {
      problems.add({
        line: record.line,
        pointer: '/number',
        code: 'invalid_phone_number',
        detail: phone.detail,
        ...(phone.hint ? { hint: phone.hint } : {}),
      });
      return true;
    }
    const reason = typeof value.reason === 'string' && value.reason !== '' ? value.reason : null;
    if (reason !== null && reason.length > 200) {
      problems.add({
        line: record.line,
        pointer: '/reason',
        code: 'too_long',
        detail: 'Must be at most 200 characters long.',
      });
      return true;
    }
    if (!problems.failed) valid.push({ number: phone.e164, reason });
    return true;
  }
}

// One statement cannot upsert the same key twice; the last row for a number wins.
function dedupe(rows: Array<{ number: string; reason: string | null }>) {
  return [...new Map(rows.map((row) => [row.number, row])).values()];
}
