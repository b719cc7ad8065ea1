import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/open-store.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';

// PGlite only: on PostgreSQL the store's statements go through pg unnamed, planned on every run.
test('the embedded store runs a repeated statement on its cached generic plan, not a plan per run', async () => {
  const store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  try {
    // A primary-key read like the store's own; planning it again on every run (the setting this
    // replaced, force_custom_plan) costs ~90 µs of fstat calls each time on the embedded store.
    const read = (id: string) =>
      sql`select id from tenants where id = ${id} and ${'cached-plan probe'}::text is not null`.execute(
        store.db,
      );
    for (let run = 0; run < 10; run++) await read(`t-${run}`);
    const { rows } = await sql<{ generic_plans: number; custom_plans: number }>`
      select generic_plans::int, custom_plans::int from pg_prepared_statements
      where statement like ${'%from tenants where id = $1 and $2::text is not null%'}`.execute(store.db);
    assert.equal(rows.length, 1, `one prepared statement for the read, found ${JSON.stringify(rows)}`);
    const [plans] = rows;
    assert.ok(
      (plans?.generic_plans ?? 0) >= 4,
      `after five custom plans the other runs use the generic plan: ${JSON.stringify(plans)}`,
    );
  } finally {
    await store.close();
  }
});
