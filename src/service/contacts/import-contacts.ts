import { randomUUID } from 'node:crypto';
import type { ContactInput } from '../../contract/contacts.ts';
import { newId } from '../../domain/ids.ts';
import type { FieldError } from '../../domain/pconn-error.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import {
  commitStagedContacts,
  discardStagedContacts,
  type StagedContact,
  stageContacts,
} from '../../store/contact-import.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { FieldErrors } from '../field-errors.ts';
import { ImportProblems } from '../import-problems.ts';
import { checkPhoneTypes, contactFromInput } from '../resources/contacts.ts';
import type { ImportRecord } from './import-formats.ts';

/** Validates one record against the contact schema; returns its problems (empty = valid). */
export type ContactValidator = (value: unknown) => FieldError[];

const BATCH = 1000;

const campaigns = new ResourceRepository('campaigns');

/**
 * Imports contacts from a stream of records. Valid rows go to a staging table in batches as
 * they arrive (so a 100k-row file never sits in memory); only when every row is valid are they
 * moved into contacts — and the campaign — in one transaction. Any invalid row rejects the
 * whole import with every problem listed by line (up to 100), and nothing is imported.
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
  let rows = 0;
  const seen = new Map<string, number>();
  let batch: StagedContact[] = [];
  try {
    for await (const record of records) {
      rows++;
      if ('error' in record) {
        problems.add({ line: record.line, pointer: '', code: 'format', detail: record.error });
        continue;
      }
      const found = validate(record.value);
      if (found.length === 0) {
        const input = record.value as ContactInput;
        const checks = new FieldErrors();
        checkPhoneTypes(checks, input.phoneNumbers ?? [], ctx.tenant.phoneTypes);
        found.push(...checks.list);
        const firstLine = seen.get(input.externalId);
        if (firstLine !== undefined) {
          found.push({
            pointer: '/externalId',
            code: 'duplicate',
            detail: `externalId '${input.externalId}' already appears on line ${firstLine}.`,
          });
        } else {
          seen.set(input.externalId, record.line);
        }
        if (found.length === 0 && !problems.failed) {
          const data = contactFromInput(input, ctx.now);
          batch.push({
            line: record.line,
            contactId: newId('contact'),
            externalId: input.externalId,
            data: { ...data },
          });
        }
      }
      for (const problem of found) problems.add({ ...problem, line: record.line });
      // Once the import is known to fail, stop staging but keep reading to report every error.
      if (batch.length >= BATCH && !problems.failed) {
        await stageContacts(db, importId, ctx.tenant.id, batch);
        batch = [];
      }
    }
    problems.throwIfAny(rows);
    await stageContacts(db, importId, ctx.tenant.id, batch);
    const counts = await db
      .transaction()
      .execute((tx) => commitStagedContacts(tx, importId, ctx.tenant.id, campaignId, ctx.now));
    return { rows, ...counts };
  } finally {
    await discardStagedContacts(db, importId);
  }
}
