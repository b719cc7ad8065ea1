import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PgliteStatements } from '../../src/store/pglite-statements.ts';

/** One PGlite session, running statements the way the store's driver does. */
interface Session {
  /** A statement with parameters: through the prepared-statement cache under test. */
  run(text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** A statement without parameters (DDL, BEGIN), sent as is. */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

const CAPACITY = 2;

async function pgliteSession(): Promise<Session> {
  const pglite = await PGlite.create();
  const statements = new PgliteStatements(pglite, CAPACITY);
  return {
    run: (text, params) => statements.run(text, params),
    exec: async (text) => void (await pglite.query(text)),
    close: () => pglite.close(),
  };
}

/** Runs `use` on a fresh session and closes it, whatever happens. */
async function withSession(use: (session: Session) => Promise<void>): Promise<void> {
  const session = await pgliteSession();
  try {
    await use(session);
  } finally {
    await session.close();
  }
}

/** The names this session has prepared (PostgreSQL's own view of them). */
async function preparedNames(session: Session): Promise<string[]> {
  const { rows } = await session.run(
    'select name from pg_prepared_statements where $1::int = 1 order by name',
    [1],
  );
  return rows.map((row) => String(row.name));
}

// PGlite only: on PostgreSQL the store sends statements through pg as it always did.
describe('PGlite prepared statements', () => {
  test('a repeated statement runs as one named statement, with values typed as PGlite types them', async () => {
    await withSession(async (session) => {
      await session.exec(
        'create table t (id int primary key, doc jsonb, at timestamptz, tags text[], ok bool)',
      );
      const insert = 'insert into t values ($1, $2::jsonb, $3, $4, $5) returning id';
      const at = new Date('2026-12-05T10:00:00.000Z');
      for (let id = 1; id <= 8; id++)
        await session.run(insert, [id, JSON.stringify({ id }), at, ['a', `b${id}`], id % 2 === 0]);
      const { rows } = await session.run('select * from t where id = $1', [7]);
      assert.deepEqual(rows, [{ id: 7, doc: { id: 7 }, at, tags: ['a', 'b7'], ok: false }]);
      const names = await preparedNames(session);
      assert.ok(
        names.length >= CAPACITY && names.every((name) => name.startsWith('pconn_')),
        `the statements run as named ones: ${names}`,
      );
    });
  });

  test('long text, json and jsonb values (bound in binary on PGlite) arrive intact, multi-byte characters included', async () => {
    await withSession(async (session) => {
      await session.exec('create table l (id int primary key, t text, v varchar, j json, b jsonb)');
      const long = `Zoë ☎ 📞 ${'x'.repeat(300)} ${'é'.repeat(200)}`;
      const doc = { note: long, list: [long, 1, null] };
      await session.run('insert into l values ($1, $2, $3, $4, $5)', [
        1,
        long,
        long,
        JSON.stringify(doc),
        JSON.stringify(doc),
      ]);
      const { rows } = await session.run(
        'select t, v, j, b, octet_length(t) as bytes from l where id = $1',
        [1],
      );
      assert.deepEqual(rows, [{ t: long, v: long, j: doc, b: doc, bytes: Buffer.byteLength(long) }]);
    });
  });

  test('at most `capacity` statements stay prepared; an evicted one is prepared again when it comes back', async () => {
    await withSession(async (session) => {
      for (const n of [1, 2, 3, 4, 1]) {
        const { rows } = await session.run(`select $1::int + ${n} as v`, [10]);
        assert.deepEqual(rows, [{ v: 10 + n }]);
      }
      const names = await preparedNames(session);
      assert.ok(names.length <= CAPACITY + 1, `evicted statements were closed, left: ${names}`);
    });
  });

  test('a statement whose table changed shape is prepared again instead of failing', async () => {
    await withSession(async (session) => {
      await session.exec('create table s (id int primary key)');
      await session.exec('insert into s values (1)');
      const select = 'select * from s where id = $1';
      assert.deepEqual((await session.run(select, [1])).rows, [{ id: 1 }]);
      // Another node's migration: the cached plan's result type no longer matches.
      await session.exec('alter table s add column note text');
      assert.deepEqual((await session.run(select, [1])).rows, [{ id: 1, note: null }]);
    });
  });

  test("a failure keeps its SQLSTATE, and inside a transaction it is not retried (the transaction's error shows)", async () => {
    await withSession(async (session) => {
      await session.exec('create table u (id int primary key)');
      const insert = 'insert into u values ($1)';
      await session.run(insert, [1]);
      await assert.rejects(session.run(insert, [1]), { code: '23505' });
      await session.exec('begin');
      await assert.rejects(session.run(insert, [1]), { code: '23505' });
      await assert.rejects(session.run(insert, [2]), { code: '25P02' });
      await session.exec('rollback');
      await session.run(insert, [2]);
      assert.deepEqual((await session.run('select count(*)::int as n from u where $1::int = 1', [1])).rows, [
        { n: 2 },
      ]);
    });
  });
});
