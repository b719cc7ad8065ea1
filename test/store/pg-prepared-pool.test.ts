import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PreparedStatementPool } from '../../src/store/pg-prepared-pool.ts';
import { planEachRun } from '../../src/store/plan-each-run.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';

after(() => stopTestPostgres());

/** A Kysely on ONE pooled connection (so that what it prepared is visible to the next statement). */
async function withOneConnection(use: (db: Kysely<unknown>) => Promise<void>, enabled = true): Promise<void> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new PreparedStatementPool(pool, enabled) }),
  });
  try {
    await use(db);
  } finally {
    await db.destroy();
    await database.drop();
  }
}

/** The statements this connection has prepared, as PostgreSQL sees them. */
async function preparedTexts(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
  return rows.map((row) => row.statement);
}

const lookup = (db: Kysely<unknown>, n: number) => sql<{ n: number }>`select ${n}::int + 1 as n`.execute(db);

describe('PostgreSQL prepared statements (pg-prepared-pool.ts)', () => {
  test('a statement run twice is prepared once on its connection and keeps answering', async () => {
    await withOneConnection(async (db) => {
      assert.deepEqual((await lookup(db, 1)).rows, [{ n: 2 }]);
      assert.deepEqual(await preparedTexts(db), [], 'a text seen once runs unnamed');
      assert.deepEqual((await lookup(db, 2)).rows, [{ n: 3 }]);
      assert.deepEqual((await lookup(db, 3)).rows, [{ n: 4 }]);
      assert.deepEqual(await preparedTexts(db), ['select $1::int + 1 as n']);
    });
  });

  test('a statement marked to be planned on each run, or one without parameters, is never prepared', async () => {
    await withOneConnection(async (db) => {
      for (let i = 0; i < 3; i++) {
        await sql`${planEachRun()} select ${i}::int as n`.execute(db);
        // Several statements in one text: only a simple (unnamed, parameterless) query may hold them.
        await sql`select 1; select 2`.execute(db);
      }
      assert.deepEqual(await preparedTexts(db), []);
    });
  });

  test('switched off (a transaction-mode pooler), nothing is prepared', async () => {
    await withOneConnection(async (db) => {
      for (let i = 0; i < 3; i++) await lookup(db, i);
      assert.deepEqual(await preparedTexts(db), []);
    }, false);
  });

  test('a prepared statement whose result a schema change altered runs again unnamed outside a transaction, and fails inside one', async () => {
    await withOneConnection(async (db) => {
      await sql`create table t (id int primary key, a text)`.execute(db);
      await sql`insert into t values (1, 'x')`.execute(db);
      const read = (executor: Kysely<unknown>) => sql`select * from t where id = ${1}`.execute(executor);
      await read(db);
      await read(db);
      assert.equal((await preparedTexts(db)).length, 1);
      // Another node's migration, say.
      await sql`alter table t add column b int`.execute(db);
      await assert.rejects(
        db.transaction().execute((tx) => read(tx)),
        /cached plan must not change result type/,
        'inside a transaction the failure has aborted it: no retry',
      );
      assert.deepEqual((await read(db)).rows, [{ id: 1, a: 'x', b: null }]);
      assert.deepEqual((await read(db)).rows, [{ id: 1, a: 'x', b: null }]);
    });
  });
});
