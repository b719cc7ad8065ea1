// The accept batch's inline contacts (upsertInlineContacts): one statement inserts new contacts,
// replaces existing ones and adds each to its campaign — on both stores.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { upsertInlineContacts } from '../../src/store/calls/upsert-inline-contacts.ts';
import { ResourceRepository } from '../../src/store/resources.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(() => stopTestPostgres());

const AT = new Date('2026-03-31T12:00:00Z');
const row = (id: string, externalId: string, exists: boolean, note: string) => ({
  tenantId: 'a',
  campaignId: 'camp',
  id,
  externalId,
  data: { externalId, note },
  exists,
  at: AT,
});

for (const [kind, open] of STORE_KINDS) {
  describe(`inline contacts on ${kind}`, () => {
    test('inserts, replaces and enrols in one statement; a vanished contact is left out', async () => {
      const { store, drop } = await open();
      try {
        const db = store.db;
        await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
        await new ResourceRepository('campaigns').insert(db, 'a', 'camp', { name: 'c' });
        await new ResourceRepository('contacts').insert(
          db,
          'a',
          'old',
          { externalId: 'x-old' },
          {
            external_id: 'x-old',
          },
        );
        const written = await upsertInlineContacts(db, [
          row('new', 'x-new', false, 'first'),
          row('old', 'x-old', true, 'earlier'),
          row('old', 'x-old', true, 'later'),
          row('gone', 'x-gone', true, 'deleted meanwhile'),
        ]);
        assert.deepEqual([...written].sort(), ['a/new', 'a/old'], 'the deleted contact is not written');
        const { rows } = await sql<{ id: string; note: string; external_id: string }>`
          select id, data->>'note' as note, external_id from contacts where tenant_id = 'a' order by id`.execute(
          db,
        );
        assert.deepEqual(rows, [
          { id: 'new', note: 'first', external_id: 'x-new' },
          { id: 'old', note: 'later', external_id: 'x-old' },
        ]);
        const members = await sql<{ contact_id: string }>`
          select contact_id from campaign_contacts where campaign_id = 'camp' order by contact_id`.execute(
          db,
        );
        assert.deepEqual(
          members.rows.map((m) => m.contact_id),
          ['new', 'old'],
        );
        // Members already: a second write adds nothing and fails nothing.
        const again = await upsertInlineContacts(db, [row('old', 'x-old', true, 'again')]);
        assert.deepEqual([...again], ['a/old']);
        // A new contact whose externalId exists under another id fails the statement as a whole.
        await assert.rejects(upsertInlineContacts(db, [row('dup', 'x-new', false, 'taken')]));
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
