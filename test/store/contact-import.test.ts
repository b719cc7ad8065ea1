import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  commitStagedLines,
  discardStagedLines,
  lastStagedLine,
  type StagedContact,
  stageContacts,
} from '../../src/store/contact-import.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(() => stopTestPostgres());

const row = (line: number, externalId: string): StagedContact => ({
  line,
  contactId: `ct_${line}_${externalId}`,
  externalId,
  data: { externalId, name: `Line ${line}` },
});

for (const [kind, open] of STORE_KINDS) {
  describe(`contact import staging on ${kind}`, () => {
    test('duplicates are found by the staging index; commit and discard walk line ranges', async () => {
      const { store, drop } = await open();
      try {
        const db = store.db;
        await insertTenant(db, { id: 't', name: 'T', defaultRegion: 'US', phoneTypes: ['mobile'] });
        // Line gaps (blank lines, multi-line records) and a repeat within and across batches.
        assert.deepEqual(await stageContacts(db, 'imp', 't', [row(2, 'a'), row(3, 'b'), row(5, 'a')]), [
          { line: 5, externalId: 'a', firstLine: 2 },
        ]);
        assert.deepEqual(await stageContacts(db, 'imp', 't', [row(9, 'c'), row(10, 'b')]), [
          { line: 10, externalId: 'b', firstLine: 3 },
        ]);
        assert.deepEqual(await stageContacts(db, 'other', 't', [row(2, 'a')]), [], 'imports are separate');
        assert.equal(await lastStagedLine(db, 'imp'), 9);
        assert.equal(await lastStagedLine(db, 'none'), 0);

        const totals = { created: 0, updated: 0, addedToCampaign: 0 };
        await db.transaction().execute(async (tx) => {
          for (let after = 0; after < 9; after += 2) {
            const chunk = await commitStagedLines(tx, 'imp', 't', undefined, new Date(0), after, 2);
            totals.created += chunk.created;
            totals.updated += chunk.updated;
          }
        });
        assert.deepEqual(totals, { created: 3, updated: 0, addedToCampaign: 0 });
        const names = await db
          .selectFrom('contacts')
          .select(['external_id', 'data'])
          .orderBy('external_id')
          .execute();
        assert.deepEqual(
          names.map((c) => [c.external_id, (c.data as { name: string }).name]),
          [
            ['a', 'Line 2'],
            ['b', 'Line 3'],
            ['c', 'Line 9'],
          ],
        );
        let discarded = 0;
        for (let after = 0; after < 9; after += 4) discarded += await discardStagedLines(db, 'imp', after, 4);
        assert.equal(discarded, 3);
        assert.equal(await lastStagedLine(db, 'imp'), 0);
        assert.equal(await lastStagedLine(db, 'other'), 2, 'another import is untouched');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
