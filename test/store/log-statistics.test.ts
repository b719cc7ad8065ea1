import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { LOG_STATISTICS_TARGET, LOG_TABLES } from '../../src/store/migrations/0023-log-statistics.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

for (const [kind, open] of STORE_KINDS)
  test(`${kind}: every column of the append-only tables keeps the small statistics sample or none (one column at the default would make every ANALYZE of its table sample 30,000 rows again)`, async () => {
    const { store, drop } = await open();
    try {
      const result = await sql<{ table: string; column: string; target: number | null }>`
        select c.relname as table, a.attname as column, a.attstattarget as target
        from pg_attribute a join pg_class c on c.oid = a.attrelid
        where c.relname = any(${[...LOG_TABLES]}::text[]) and a.attnum > 0 and not a.attisdropped
        order by c.relname, a.attnum`.execute(store.db);
      assert.deepEqual([...new Set(result.rows.map((row) => row.table))].sort(), [...LOG_TABLES].sort());
      // 0: a payload left out of ANALYZE altogether (migration 0018).
      const otherwise = result.rows.filter((row) => row.target !== LOG_STATISTICS_TARGET && row.target !== 0);
      assert.deepEqual(
        otherwise.map((row) => `${row.table}.${row.column}: ${row.target ?? 'default'}`),
        [],
      );
    } finally {
      await store.close();
      await drop();
    }
  });
