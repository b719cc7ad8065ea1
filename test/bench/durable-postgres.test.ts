/**
 * The PostgreSQL benches say "fsync on": withPostgres must hand them a server that flushes every
 * commit, and must refuse, not reuse in silence, a server this process started for tests without
 * fsync (until 2026-12-06 the flags were read when the module loaded, before a bench asked for
 * durability, and every _pg measure ran on a server with fsync off).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { withPostgres } from '../../bench/support/accept-load.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';

const durableBefore = process.env.PCONN_PG_DURABLE;
after(async () => {
  if (durableBefore === undefined) delete process.env.PCONN_PG_DURABLE;
  else process.env.PCONN_PG_DURABLE = durableBefore;
  await stopTestPostgres();
});

async function setting(url: string, name: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(`show ${name}`);
    return rows[0]?.[name];
  } finally {
    await client.end();
  }
}

test('a bench database on a server started for tests (fsync off) is refused', async (t) => {
  if (process.env.DATABASE_URL) return t.skip('DATABASE_URL names an outside server');
  delete process.env.PCONN_PG_DURABLE;
  const database = await createTestDatabase();
  try {
    assert.equal(await setting(database.url, 'fsync'), 'off');
    await assert.rejects(
      withPostgres(async () => 'measured'),
      /without fsync/,
    );
  } finally {
    await database.drop();
    await stopTestPostgres();
  }
});

test('withPostgres measures on a server that flushes every commit', async (t) => {
  if (process.env.DATABASE_URL) return t.skip('DATABASE_URL names an outside server');
  const settings = await withPostgres(async (url) => ({
    fsync: await setting(url, 'fsync'),
    synchronousCommit: await setting(url, 'synchronous_commit'),
    fullPageWrites: await setting(url, 'full_page_writes'),
  }));
  assert.deepEqual(settings, { fsync: 'on', synchronousCommit: 'on', fullPageWrites: 'on' });
});
