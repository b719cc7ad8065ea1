import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';

after(() => stopTestPostgres());

test('PostgreSQL dropping idle pooled connections is reported, not a crash; the store keeps working', async () => {
  const database = await createTestDatabase();
  const dropped: Error[] = [];
  const store = await openStore({
    kind: 'postgres',
    url: database.url,
    onIdleConnectionError: (error) => dropped.push(error),
  });
  try {
    // Two idle connections in the pool.
    await Promise.all([store.ping(), store.ping()]);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const { rows } = await admin.query<{ terminated: boolean }>(
      'select pg_terminate_backend(pid) as terminated from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    await admin.end();
    assert.ok(rows.length >= 1 && rows.every((r) => r.terminated), JSON.stringify(rows));
    // Each dropped connection is reported once the pool notices (it reads the server's notice).
    const deadline = Date.now() + 10_000;
    while (dropped.length < rows.length && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.equal(dropped.length, rows.length);
    assert.match(dropped[0]?.message ?? '', /terminating connection/);
    assert.equal(await store.ping(), true, 'a new connection serves the next query');
  } finally {
    await store.close();
    await database.drop();
  }
});
