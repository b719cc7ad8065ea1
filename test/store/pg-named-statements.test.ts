import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import { runStatementsPrepared } from '../../src/store/pg-named-statements.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';

after(stopTestPostgres);

/** The prepared statements of the session `db` runs on, by text. */
async function preparedTexts(db: Kysely<unknown>): Promise<Map<string, number>> {
  const { rows } = await sql<{ statement: string; generic_plans: number }>`
    select statement, generic_plans::int from pg_prepared_statements`.execute(db);
  return new Map(rows.map((row) => [row.statement, row.generic_plans]));
}

// PostgreSQL only: the embedded store prepares its statements itself (prepared-statements.test.ts).
test('on PostgreSQL a repeated parameterized statement is parsed once per connection and runs on its cached plan', async () => {
  const database = await createTestDatabase();
  const store = await openStore({ kind: 'postgres', url: database.url, poolSize: 1 });
  try {
    const read = (id: string) =>
      sql`select id from tenants where id = ${id} and ${'named probe'}::text is not null`.execute(store.db);
    for (let run = 0; run < 8; run++) await read(`t-${run}`);
    const texts = await preparedTexts(store.db as unknown as Kysely<unknown>);
    const probe = [...texts].find(([text]) => text.includes('from tenants where id = $1 and $2::text'));
    assert.ok(probe, `the read is prepared: ${[...texts.keys()].join(' | ')}`);
    assert.ok(probe[1] >= 2, `after five custom plans the runs use the generic plan: ${probe[1]}`);
    // Statements without parameters stay unnamed (pg sends them with the simple protocol).
    await sql`select 1`.execute(store.db);
    const after = await preparedTexts(store.db as unknown as Kysely<unknown>);
    assert.ok(![...after.keys()].some((text) => text.trim() === 'select 1'));
  } finally {
    await store.close();
    await database.drop();
  }
});

test('a prepared statement the server dropped, or whose result a migration changed, is prepared again', async () => {
  const database = await createTestDatabase();
  const store = await openStore({ kind: 'postgres', url: database.url, poolSize: 1 });
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  try {
    await sql`create table probe (id text primary key)`.execute(store.db);
    await sql`insert into probe values ('a')`.execute(store.db);
    const read = () => sql<Record<string, unknown>>`select * from probe where id = ${'a'}`.execute(store.db);
    assert.deepEqual((await read()).rows, [{ id: 'a' }]);
    // Another node's migration: the cached plan's result type no longer matches (0A000).
    await other.query('alter table probe add column extra int default 7');
    assert.deepEqual((await read()).rows, [{ id: 'a', extra: 7 }]);
    // The session lost its prepared statements (26000 on the next run).
    await sql.raw('deallocate all').execute(store.db);
    assert.deepEqual((await read()).rows, [{ id: 'a', extra: 7 }]);
    // Inside a transaction the failure aborts it: it is reported, not retried.
    await other.query('alter table probe add column more int default 8');
    await assert.rejects(
      store.db.transaction().execute(async (tx) => {
        await sql`select * from probe where id = ${'a'}`.execute(tx);
      }),
      (error: { code?: string }) => error.code === '0A000',
    );
    assert.deepEqual((await read()).rows, [{ id: 'a', extra: 7, more: 8 }]);
  } finally {
    await other.end();
    await store.close();
    await database.drop();
  }
});

test('a connection prepares at most its capacity of texts, runs the others unnamed, and PCONN_PG_PREPARED=off none', async () => {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  runStatementsPrepared(pool, 3);
  const unprepared = await openStore({
    kind: 'postgres',
    url: database.url,
    poolSize: 1,
    preparedStatements: false,
  });
  try {
    // As Kysely runs statements: on a client of the pool, without a callback.
    const client = await pool.connect();
    try {
      for (let n = 0; n < 6; n++) {
        const { rows } = await client.query(`select $1::int + ${n} as v`, [1]);
        assert.equal(rows[0].v, 1 + n);
      }
      const { rows } = await client.query<{ n: number }>(
        'select count(*)::int as n from pg_prepared_statements',
      );
      assert.equal(rows[0]?.n, 3);
    } finally {
      client.release();
    }
    await sql`select ${1}::int as v`.execute(unprepared.db);
    const none = await preparedTexts(unprepared.db as unknown as Kysely<unknown>);
    assert.equal(none.size, 0);
  } finally {
    await pool.end();
    await unprepared.close();
    await database.drop();
  }
});
