import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { AbortedTransactionError, Kysely, sql } from 'kysely';
import { openStore } from '../../src/store/open-store.ts';
import { PGliteDialect } from '../../src/store/pglite-dialect.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';

// PGlite has one session: our dialects must hand it to one holder at a time, or a query issued
// while a transaction is open would run inside that transaction (and share its fate). The same
// contract holds for PGlite on the node's thread (PGliteDialect, which the store's thread uses)
// and for PGlite on its own thread as the embedded store opens it (PgliteWorkerDialect).

interface TestDatabase {
  items: { id: string; note: string };
}

const DIALECTS: Array<[string, () => Promise<{ db: Kysely<TestDatabase>; closed: () => Promise<boolean> }>]> =
  [
    [
      'PGliteDialect (PGlite on this thread)',
      async () => {
        const pglite = await PGlite.create();
        const db = new Kysely<TestDatabase>({ dialect: new PGliteDialect({ pglite }) });
        return { db, closed: async () => pglite.closed };
      },
    ],
    [
      'PgliteWorkerDialect (the embedded store: PGlite on its own thread)',
      async () => {
        const store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
        const db = store.db as unknown as Kysely<TestDatabase>;
        return {
          db,
          closed: () =>
            sql`select 1`.execute(db).then(
              () => false,
              // Kysely refuses a destroyed handle before the worker is asked.
              (error: Error) => /destroyed/.test(error.message),
            ),
        };
      },
    ],
  ];

for (const [name, open] of DIALECTS)
  describe(name, () => {
    let db: Kysely<TestDatabase>;
    let closed: () => Promise<boolean>;

    before(async () => {
      ({ db, closed } = await open());
      await sql`create table items (id text primary key, note text not null)`.execute(db);
    });

    after(async () => {
      await db.destroy();
      assert.equal(await closed(), true, 'destroy closes the PGlite it was given');
    });

    beforeEach(async () => {
      await db.deleteFrom('items').execute();
    });

    async function ids(): Promise<string[]> {
      const rows = await db.selectFrom('items').select('id').orderBy('id').execute();
      return rows.map((row) => row.id);
    }

    test('queries issued while a transaction is open wait for it and never run inside it', async () => {
      let outsideSettled = false;
      let outside: Promise<unknown> | undefined;
      const seenInside: string[][] = [];
      const transaction = db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 'in-1', note: 'inside' }).execute();
        outside = Promise.all([
          db.insertInto('items').values({ id: 'out', note: 'outside' }).execute(),
          db.selectFrom('items').select('id').orderBy('id').execute(),
        ]).finally(() => {
          outsideSettled = true;
        });
        // Several real round trips: without the lock the outside insert would reach PGlite's
        // session among them and show up here.
        for (let i = 0; i < 5; i += 1) {
          const rows = await trx.selectFrom('items').select('id').orderBy('id').execute();
          seenInside.push(rows.map((row) => row.id));
        }
        await trx.insertInto('items').values({ id: 'in-2', note: 'inside' }).execute();
        assert.equal(outsideSettled, false, 'outside queries still wait while the transaction is open');
        throw new Error('roll back on purpose');
      });
      await assert.rejects(transaction, /roll back on purpose/);
      assert.deepEqual(
        seenInside,
        Array(5).fill(['in-1']),
        'no outside write interleaved into the transaction',
      );
      const [, selected] = (await outside) as [unknown, Array<{ id: string }>];
      // The outside statements ran after the rollback, in their own implicit transactions.
      assert.deepEqual(
        selected.map((row) => row.id),
        ['out'],
      );
      assert.deepEqual(await ids(), ['out'], 'the rollback undid only the transaction’s own writes');
    });

    test('concurrent transactions run one after the other', async () => {
      const seen = new Map<string, string[]>();
      const run = (name: string) =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('items').values({ id: name, note: 'x' }).execute();
          await trx.selectFrom('items').selectAll().execute();
          const rows = await trx.selectFrom('items').select('id').orderBy('id').execute();
          seen.set(
            name,
            rows.map((row) => row.id),
          );
        });
      await Promise.all([run('a'), run('b'), run('c')]);
      // Each saw its own row and those of the transactions before it, in the order they began:
      // never a row of one still open (which would have shared its session).
      assert.deepEqual(Object.fromEntries(seen), { a: ['a'], b: ['a', 'b'], c: ['a', 'b', 'c'] });
      assert.deepEqual(await ids(), ['a', 'b', 'c']);
    });

    test('a failed statement rolls the transaction back and the connection stays usable', async () => {
      await db.insertInto('items').values({ id: 'existing', note: 'kept' }).execute();
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('items').values({ id: 'new', note: 'lost' }).execute();
          await trx.insertInto('items').values({ id: 'existing', note: 'duplicate' }).execute();
        }),
        (error: { code?: string }) => error.code === '23505',
      );
      assert.deepEqual(await ids(), ['existing']);
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 'after', note: 'committed' }).execute();
      });
      assert.deepEqual(await ids(), ['after', 'existing']);
    });

    test('a swallowed failure makes commit throw instead of silently rolling back', async () => {
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('items').values({ id: 'lost', note: 'x' }).execute();
          await sql`select 1 / 0`.execute(trx).catch(() => undefined);
        }),
        AbortedTransactionError,
      );
      assert.deepEqual(await ids(), []);
      await db.insertInto('items').values({ id: 'usable', note: 'x' }).execute();
      assert.deepEqual(await ids(), ['usable']);
    });

    test('numAffectedRows counts inserted, updated and deleted rows', async () => {
      const inserted = await db
        .insertInto('items')
        .values([
          { id: 'a', note: 'old' },
          { id: 'b', note: 'old' },
          { id: 'c', note: 'keep' },
        ])
        .executeTakeFirstOrThrow();
      assert.equal(inserted.numInsertedOrUpdatedRows, 3n);
      const updated = await db
        .updateTable('items')
        .set({ note: 'new' })
        .where('note', '=', 'old')
        .executeTakeFirstOrThrow();
      assert.equal(updated.numUpdatedRows, 2n);
      const raw = await sql`update items set note = 'raw' where id = 'c'`.execute(db);
      assert.equal(raw.numAffectedRows, 1n);
      const none = await db
        .updateTable('items')
        .set({ note: 'x' })
        .where('id', '=', 'missing')
        .executeTakeFirst();
      assert.equal(none.numUpdatedRows, 0n);
      const deleted = await db.deleteFrom('items').where('note', '=', 'new').executeTakeFirstOrThrow();
      assert.equal(deleted.numDeletedRows, 2n);
      const selected = await sql`select id from items`.execute(db);
      assert.equal(selected.numAffectedRows, undefined, 'selects carry no affected-row count');
    });

    test('streams a result in chunks and supports savepoints', async () => {
      await db
        .insertInto('items')
        .values(['1', '2', '3', '4', '5'].map((id) => ({ id, note: 'x' })))
        .execute();
      const chunks: string[] = [];
      for await (const row of db.selectFrom('items').select('id').orderBy('id').stream(2))
        chunks.push(row.id);
      assert.deepEqual(chunks, ['1', '2', '3', '4', '5']);

      const trx = await db.startTransaction().execute();
      await trx.deleteFrom('items').where('id', '=', '1').execute();
      const savepoint = await trx.savepoint('before_rest').execute();
      await savepoint.deleteFrom('items').execute();
      const rolledBack = await savepoint.rollbackToSavepoint('before_rest').execute();
      await rolledBack.commit().execute();
      assert.deepEqual(await ids(), ['2', '3', '4', '5']);
    });
  });
