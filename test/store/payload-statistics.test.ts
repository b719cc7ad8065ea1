import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PAYLOAD_COLUMNS } from '../../src/store/migrations/0018-payload-statistics.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

for (const [kind, open] of STORE_KINDS) {
  describe(`payload columns are left out of ANALYZE (${kind})`, () => {
    test('every JSON column of the tables that hold them has statistics target 0, and no other column does', async () => {
      const { store, drop } = await open();
      try {
        const tables = [...new Set(PAYLOAD_COLUMNS.map(([table]) => table))];
        const { rows } = await sql<{ name: string; json: boolean; target: number | null }>`
          select c.relname || '.' || a.attname as name,
            format_type(a.atttypid, a.atttypmod) in ('json', 'jsonb') as json,
            a.attstattarget::int as target
          from pg_attribute a join pg_class c on c.oid = a.attrelid
          join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = current_schema() and c.relname = any(${tables}::text[])
            and a.attnum > 0 and not a.attisdropped
          order by 1`.execute(store.db);
        const json = rows.filter((row) => row.json).map((row) => row.name);
        const listed = PAYLOAD_COLUMNS.map(([table, column]) => `${table}.${column}`).sort();
        assert.deepEqual(json, listed, 'a JSON column of these tables missing from PAYLOAD_COLUMNS');
        const off = rows.filter((row) => row.target === 0).map((row) => row.name);
        assert.deepEqual(off, listed, 'exactly the payload columns are left out');
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
