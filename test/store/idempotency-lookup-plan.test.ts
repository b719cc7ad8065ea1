import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { findIdempotencyAnswers, idempotencyLookupStatement } from '../../src/store/idempotency-keys.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

interface GenericPlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: GenericPlanNode[];
}

after(stopTestPostgres);

const nodes = (node: GenericPlanNode): GenericPlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

for (const [kind, open] of STORE_KINDS) {
  test(`${kind}: the idempotency lookup's generic plan probes the primary key once per key, whatever the table's size`, async () => {
    const { store, drop } = await open();
    try {
      const now = new Date('2026-12-06T04:00:00Z');
      await sql`insert into tenants (id, name) values ('plan-tenant', 'Plan tenant')`.execute(store.db);
      // A table the size one busy hour leaves, analyzed as store maintenance keeps it.
      await sql`
        insert into idempotency_keys (tenant_id, key, fingerprint, outcome, created_at, expires_at)
        select 'plan-tenant', 'key-' || g, 'fp', '{}'::jsonb, ${now}::timestamptz,
          ${now}::timestamptz + interval '1 day'
        from generate_series(1, 5000) g`.execute(store.db);
      await sql`analyze idempotency_keys`.execute(store.db);
      const keys = Array.from({ length: 20 }, (_, i) => ({
        tenantId: 'plan-tenant',
        key: `key-${i * 7 + 1}`,
      }));
      const found = await findIdempotencyAnswers(
        store.db,
        [...keys, { tenantId: 'plan-tenant', key: 'absent' }],
        now,
      );
      assert.equal(found.size, 20);

      // The plan a prepared statement keeps once PostgreSQL settles on the generic one (the
      // embedded store runs every statement prepared): planned without the values.
      const compiled = idempotencyLookupStatement(keys, now).compile(store.db);
      const result = await store.db.connection().execute(async (session) => {
        await sql.raw('set plan_cache_mode = force_generic_plan').execute(session);
        await sql.raw(`prepare lookup_probe as ${compiled.sql}`).execute(session);
        const literals = compiled.parameters.map((value) =>
          sql.lit(value instanceof Date ? value.toISOString() : String(value)),
        );
        const explained = await sql<{ 'QUERY PLAN': [{ Plan: GenericPlanNode }] }>`
          explain (format json) execute lookup_probe(${sql.join(literals)})`.execute(session);
        await sql.raw('deallocate lookup_probe').execute(session);
        await sql.raw('reset plan_cache_mode').execute(session);
        return explained;
      });
      const plan = nodes(result.rows[0]!['QUERY PLAN'][0].Plan);
      const types = plan.map((node) => node['Node Type']);
      assert.ok(!types.includes('Hash Join') && !types.includes('Seq Scan'), `plan: ${types.join(' > ')}`);
      assert.deepEqual(
        plan.flatMap((node) => (node['Index Name'] ? [node['Index Name']] : [])),
        ['idempotency_keys_pkey'],
      );
    } finally {
      await store.close();
      await drop();
    }
  });
}
