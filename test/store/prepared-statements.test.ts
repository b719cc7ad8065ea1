import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { PREPARED, prepareMarkedStatements } from '../../src/store/prepared-statements.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';

after(() => stopTestPostgres());

test('marked statements stay prepared on their connection; unmarked ones do not', async () => {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  prepareMarkedStatements(pool);
  try {
    const marked = `${PREPARED} select $1::int + 1 as n`;
    for (let i = 0; i < 3; i++) {
      const { rows } = await pool.query(marked, [i]);
      assert.equal(rows[0].n, i + 1);
    }
    await pool.query('select $1::int as unmarked', [1]);
    const { rows } = await pool.query<{ statement: string }>(
      `select statement from pg_prepared_statements where from_sql = false`,
    );
    assert.deepEqual(
      rows.map((r) => r.statement),
      [marked],
      'one named statement on the connection, for the marked text only',
    );
    // Config-object queries and parameterless calls pass through untouched.
    assert.equal((await pool.query({ text: 'select 2 as n' })).rows[0].n, 2);
    assert.equal((await pool.query(`${PREPARED} select 3 as n`)).rows[0].n, 3);
  } finally {
    await pool.end();
    await database.drop();
  }
});
