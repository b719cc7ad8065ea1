import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../../src/store/open-store.ts';
import { openStore } from '../../src/store/open-store.ts';
import { PgliteHost } from '../../src/store/pglite-host/pglite-host.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';

// Issue 15: the embedded store never runs on the thread that serves HTTP and SIP. PGlite runs
// each query synchronously on the thread that owns it, so it lives on a worker thread and the
// main thread speaks the PostgreSQL protocol to it (src/store/pglite-host/).
describe('the embedded store on its own thread', () => {
  let store: Store;
  before(async () => {
    store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
    await sql`create table thread_probe (id text primary key)`.execute(store.db);
  });
  after(() => store.close());

  test('a long query leaves the main thread free: its timers keep ticking meanwhile', async () => {
    let last = performance.now();
    let longestGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 5);
    try {
      const started = performance.now();
      await sql`select pg_sleep(1)`.execute(store.db);
      const took = performance.now() - started;
      // A query that held this thread would leave no tick at all: count the gap up to now too.
      longestGap = Math.max(longestGap, performance.now() - last);
      assert.ok(took >= 950, `the query itself took its second (${Math.round(took)} ms)`);
      // In the main thread the query blocks it for the whole second; the margin is for a busy machine.
      assert.ok(longestGap < 500, `the main thread stalled ${Math.round(longestGap)} ms during the query`);
      assert.ok(ticks >= 10, `the 5 ms timer ticked ${ticks} times during one second`);
    } finally {
      clearInterval(timer);
    }
  });

  test('concurrent transactions never run inside each other: a rollback takes only its own rows', async () => {
    await sql`truncate thread_probe`.execute(store.db);
    let aInserted!: () => void;
    const aHasInserted = new Promise<void>((resolve) => {
      aInserted = resolve;
    });
    const a = store.db.transaction().execute(async (trx) => {
      await sql`insert into thread_probe values ('a1')`.execute(trx);
      aInserted();
      // Holds its transaction open while the others below are sent on other pooled connections.
      await sql`select pg_sleep(0.3)`.execute(trx);
      await sql`insert into thread_probe values ('a2')`.execute(trx);
      throw new Error('a rolls back');
    });
    await aHasInserted;
    const b = store.db.transaction().execute(async (trx) => {
      await sql`insert into thread_probe values ('b1')`.execute(trx);
      await sql`insert into thread_probe values ('b2')`.execute(trx);
    });
    const outside = sql<{ id: string }>`select id from thread_probe order by id`.execute(store.db);
    await assert.rejects(a, /a rolls back/);
    await b;
    // It runs after a's rollback, and before b or after b's commit: never inside either.
    const seen = (await outside).rows.map((row) => row.id);
    assert.ok(
      seen.length === 0 || seen.join() === 'b1,b2',
      `a query outside both transactions saw ${JSON.stringify(seen)}`,
    );
    const rows = await sql<{ id: string }>`select id from thread_probe order by id`.execute(store.db);
    assert.deepEqual(
      rows.rows.map((row) => row.id),
      ['b1', 'b2'],
      "b's committed rows stay, a's rolled-back ones are gone",
    );
  });

  test('two connections in transactions at once take turns on the one session', async () => {
    const host = await PgliteHost.start({ image: await migratedPgliteImage(), settings: [] });
    const [a, b] = [hostClient(host), hostClient(host)];
    try {
      await a.connect();
      await b.connect();
      await a.query('create table turns_probe (id text)');
      await a.query('begin');
      await a.query(`insert into turns_probe values ('a')`);
      // b's whole transaction is sent while a's is open; it must wait, not run inside a's.
      const bDone = (async () => {
        await b.query('begin');
        await b.query(`insert into turns_probe values ('b')`);
        await b.query('commit');
      })();
      // a keeps working while b's statements arrive; without turns they would land inside a's.
      await a.query(`insert into turns_probe values ('a2')`);
      await a.query('select pg_sleep(0.2)');
      await a.query('rollback');
      await bDone;
      const rows = await a.query<{ id: string }>('select id from turns_probe');
      assert.deepEqual(
        rows.rows.map((row) => row.id),
        ['b'],
        "b's committed row stays, a's rolled-back one is gone",
      );
    } finally {
      await a.end();
      await b.end();
      await host.close();
    }
  });

  test('a connection that goes away inside its transaction is rolled back and frees the session', async () => {
    const host = await PgliteHost.start({ image: await migratedPgliteImage(), settings: [] });
    const client = () => hostClient(host);
    try {
      const [first, second] = [client(), client()];
      await first.connect();
      await second.connect();
      await first.query('create table dropped_probe (id text)');
      await first.query('begin');
      await first.query(`insert into dropped_probe values ('left open')`);
      // Waits for the session: `first` holds it in its transaction, until its stream is gone.
      const count = second.query('select count(*)::int as n from dropped_probe');
      first.on('error', () => {}); // pg reports its stream's end as an error: expected here
      first.connection.stream.destroy();
      assert.equal((await count).rows[0]?.n, 0, "the gone connection's insert was rolled back");
      await second.end();
    } finally {
      await host.close();
    }
  });

  test('once the worker is gone, queries fail at once instead of waiting for ever', async () => {
    const host = await PgliteHost.start({ image: await migratedPgliteImage(), settings: [] });
    const client = hostClient(host);
    client.on('error', () => {}); // its stream is destroyed when the worker ends: expected here
    await client.connect();
    await host.close();
    await assert.rejects(client.query('select 1'), 'a connected client fails');
    await assert.rejects(hostClient(host).connect(), 'a new connection fails');
  });
});

/** A pg client of its own on the embedded store's worker, as the store's pool makes them. */
function hostClient(host: PgliteHost): pg.Client {
  return new pg.Client({ stream: () => host.stream() as never, user: 'postgres', database: 'template1' });
}
