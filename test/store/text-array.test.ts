import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { textArray } from '../../src/store/text-array.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

const VALUES = [
  'a',
  null,
  '',
  'héllo ✓ 𝄞',
  JSON.stringify({ quote: '"', backslash: '\\', braces: '{}', comma: ',', newline: '\n' }),
  'x'.repeat(100_000),
];

for (const [kind, open] of STORE_KINDS) {
  describe(`a text[] parameter in binary format (${kind})`, () => {
    test('arrives element for element, nulls and multi-byte text included, in order', async () => {
      const { store, drop } = await open();
      try {
        const result = await sql<{ value: string | null; n: string | number }>`
          select u.value, u.n from unnest(${textArray(VALUES)}::text[]) with ordinality as u(value, n)`.execute(
          store.db,
        );
        assert.deepEqual(
          result.rows.map((row) => row.value),
          VALUES,
        );
        assert.deepEqual(
          result.rows.map((row) => Number(row.n)),
          VALUES.map((_, i) => i + 1),
        );
      } finally {
        await store.close();
        await drop();
      }
    });

    test('an empty list is an empty array, and JSON in it becomes json as written', async () => {
      const { store, drop } = await open();
      try {
        const empty = await sql<{ n: number }>`select cardinality(${textArray([])}::text[]) as n`.execute(
          store.db,
        );
        assert.equal(Number(empty.rows[0]?.n), 0);
        const document = '{"b": 1, "a": [true, null]}';
        const json = await sql<{ doc: unknown; text: string }>`
          select d::json as doc, d::json::text as text from unnest(${textArray([document])}::text[]) as u(d)`.execute(
          store.db,
        );
        assert.deepEqual(json.rows[0]?.doc, { b: 1, a: [true, null] });
        assert.equal(json.rows[0]?.text, document, 'kept as written: key order and spacing');
        await assert.rejects(
          sql`select d::json from unnest(${textArray(['{"unfinished": '])}::text[]) as u(d)`.execute(
            store.db,
          ),
          /invalid input syntax for type json/,
        );
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
