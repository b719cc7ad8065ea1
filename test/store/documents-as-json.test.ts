// Migration 0021 turns three jsonb document columns into json: the rows already there must keep
// their documents (read back equal), and the columns must take new documents as written.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { insertCall } from '../../src/store/calls/calls.ts';
import { migrate, pconnMigrator } from '../../src/store/migrate.ts';
import { PGliteDialect } from '../../src/store/pglite-dialect.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';
import { waitingCall } from '../support/waiting-call.ts';

after(stopTestPostgres);

const BEFORE = '0020-campaign-state-columns';
const DOCUMENT = { call: { id: 'c1', to: '+15555550100', attempts: [] }, note: 'é ✓', n: [1, null, true] };

const ENGINES: [string, () => Promise<{ db: Kysely<unknown>; drop: () => Promise<void> }>][] = [
  [
    'pglite',
    async () => ({
      db: new Kysely({ dialect: new PGliteDialect({ pglite: new PGlite() }) }),
      drop: async () => {},
    }),
  ],
  [
    'postgres',
    async () => {
      const database = await createTestDatabase();
      const pool = new pg.Pool({ connectionString: database.url, max: 1 });
      return { db: new Kysely({ dialect: new PostgresDialect({ pool }) }), drop: database.drop };
    },
  ],
];

for (const [engine, open] of ENGINES)
  test(`${engine}: documents written as jsonb before migration 0021 read back the same after it`, async () => {
    const { db, drop } = await open();
    try {
      const { error } = await pconnMigrator(db).migrateTo(BEFORE);
      assert.equal(error, undefined);
      const document = JSON.stringify(DOCUMENT);
      await sql`insert into tenants (id, name) values ('a', 'A')`.execute(db);
      assert.ok(await insertCall(db as never, waitingCall('c1')));
      await sql`insert into call_events (tenant_id, call_id, sequence, type, data)
        values ('a', 'c1', 1, 'call.queued', ${document}::jsonb)`.execute(db);
      await sql`insert into call_attempts (tenant_id, call_id, n, started_at, decision, driver)
        values ('a', 'c1', 1, now(), ${document}::jsonb, 'sandbox')`.execute(db);
      await sql`insert into idempotency_keys (tenant_id, key, fingerprint, outcome, created_at, expires_at)
        values ('a', 'k', 'f', ${document}::jsonb, now(), now() + interval '1 day')`.execute(db);

      assert.equal((await migrate(db))[0], '0021-documents-as-json');

      const read = await sql<{ data: unknown; decision: unknown; outcome: unknown; types: string }>`
        select e.data, a.decision, k.outcome,
          pg_typeof(e.data)::text || ' ' || pg_typeof(a.decision)::text || ' ' || pg_typeof(k.outcome)::text as types
        from call_events e, call_attempts a, idempotency_keys k`.execute(db);
      const row = read.rows[0];
      assert.equal(row?.types, 'json json json');
      assert.deepEqual(row?.data, DOCUMENT);
      assert.deepEqual(row?.decision, DOCUMENT);
      assert.deepEqual(row?.outcome, DOCUMENT);
      // What is written from now on is kept as written; `->>` reads into it as before.
      const written = '{"z": 1, "a": {"b": "x"}}';
      await sql`update call_events set data = ${written}::json`.execute(db);
      const kept = await sql<{ text: string; b: string }>`
        select data::text as text, data->'a'->>'b' as b from call_events`.execute(db);
      assert.deepEqual(kept.rows[0], { text: written, b: 'x' });
    } finally {
      await db.destroy();
      await drop();
    }
  });
