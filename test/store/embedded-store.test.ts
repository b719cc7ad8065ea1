import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { type EmbeddedStore, startEmbeddedStore } from '../../src/store/embedded/embedded-store.ts';
import { createSocketDir } from '../../src/store/embedded/socket-dir.ts';
import { openStore } from '../../src/store/open-store.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';

/** The embedded store: PGlite on its own thread, several pg connections sharing its one session. */
describe('embedded store', () => {
  let store: EmbeddedStore;
  const connect = async () => {
    const client = new pg.Client({
      host: store.host,
      port: store.port,
      user: 'postgres',
      database: 'postgres',
    });
    await client.connect();
    return client;
  };

  before(async () => {
    store = await startEmbeddedStore({ image: await migratedPgliteImage() });
    const client = await connect();
    await client.query('create table t (id int primary key)');
    await client.end();
  });
  after(() => store.stop());

  test('concurrent connections each get their own statement, even when a message spans several reads', async () => {
    // pglite-socket's own queue let B's Parse run between A's Parse and Bind once A's 1 MB Bind
    // arrived in several reads: A then got B's rows (measured 66 wrong answers in 400).
    const a = await connect();
    const b = await connect();
    try {
      const wrong: string[] = [];
      await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          if (i % 2 === 0) {
            const big = 'y'.repeat(1_000_000 + i);
            const { rows } = await a.query('select $1::int + 1 as a, length($2::text) as l', [i, big]);
            if (rows[0]?.a !== i + 1 || rows[0]?.l !== big.length)
              wrong.push(JSON.stringify(rows[0]).slice(0, 80));
          } else {
            const { rows } = await b.query('select $1::text || $2::text as b', [String(i), 'x']);
            if (rows[0]?.b !== `${i}x`) wrong.push(JSON.stringify(rows[0]).slice(0, 80));
          }
        }),
      );
      assert.deepEqual(wrong, [], 'answers of the other connection');
    } finally {
      await a.end();
      await b.end();
    }
  });

  test("another connection's statement waits for an open transaction instead of running inside it", async () => {
    const a = await connect();
    const b = await connect();
    try {
      await a.query('begin');
      await a.query('insert into t values ($1)', [1]);
      // On the one session this would abort A's transaction if it ran now; it must wait for A.
      const duplicate = b.query('insert into t values ($1)', [1]).then(
        () => 'inserted',
        (error: Error) => error.message,
      );
      await a.query('insert into t values ($1)', [2]);
      await a.query('commit');
      assert.match(await duplicate, /duplicate key/, 'B ran after A committed');
      const { rows } = await b.query('select count(*)::int as n from t');
      assert.equal(rows[0]?.n, 2, "A's transaction kept both rows");
    } finally {
      await a.end();
      await b.end();
    }
  });

  test('a connection that dies inside a transaction is rolled back and frees the session', async () => {
    const a = await connect();
    const b = await connect();
    try {
      await a.query('begin');
      await a.query('insert into t values ($1)', [10]);
      const waiting = b.query('select count(*)::int as n from t where id = 10');
      a.on('error', () => {});
      (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      const { rows } = await waiting;
      assert.equal(rows[0]?.n, 0, 'the dead connection wrote nothing');
    } finally {
      await b.end();
    }
  });

  test('only its owner reaches the socket: a private directory and a 0600 socket', async () => {
    assert.equal((await stat(store.host)).mode & 0o777, 0o700, 'socket directory mode');
    assert.equal((await stat(join(store.host, `.s.PGSQL.${store.port}`))).mode & 0o777, 0o600, 'socket mode');
  });
});

test('a data dir written by the in-process store (PGlite on the main thread) opens unchanged', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pconn-old-data-'));
  try {
    const old = await PGlite.create({ dataDir });
    await old.exec("create table kept (v text); insert into kept values ('written before')");
    await old.close();
    const store = await openStore({ kind: 'pglite', dataDir });
    try {
      const { rows } = await sql<{ v: string }>`select v from kept`.execute(store.db);
      assert.deepEqual(rows, [{ v: 'written before' }]);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("the store's statements do not hold the main thread: a timer keeps firing during a long query", async () => {
  // In-process PGlite ran every statement on this thread: the timer below did not fire until the
  // query had finished (its longest gap was the query's whole duration).
  const store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  try {
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    await sql`select count(*) from generate_series(1, 4000000) g where g % 7 = 3`.execute(store.db);
    const took = performance.now() - started;
    clearInterval(timer);
    // A timer that never fired waited the whole query.
    longestGap = Math.max(longestGap, performance.now() - last);
    assert.ok(took > 300, `the query took ${Math.round(took)} ms: too short to tell`);
    assert.ok(
      longestGap < took / 2,
      `the timer's longest gap was ${Math.round(longestGap)} ms of a ${Math.round(took)} ms query`,
    );
  } finally {
    await store.close();
  }
});

test('a socket directory left by a killed node is removed by the next start, never reused', async () => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(dead, 'a pid of a process that has exited');
  const stale = join(tmpdir(), `pconn-store-${dead}-test`);
  await mkdir(stale, { recursive: true });
  await writeFile(join(stale, '.s.PGSQL.5432'), '');
  const fresh = await createSocketDir();
  try {
    await assert.rejects(stat(stale), /ENOENT/, 'the stale directory is gone');
    assert.notEqual(fresh, stale);
    assert.match(fresh, new RegExp(`pconn-store-${process.pid}-`), 'named after its process');
    assert.equal((await stat(fresh)).mode & 0o777, 0o700, 'private');
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
});
