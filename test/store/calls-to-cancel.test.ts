import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { callsToCancel, callsToCancelStatement } from '../../src/store/calls/calls-to-cancel.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(() => stopTestPostgres());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

for (const [kind, open] of STORE_KINDS) {
  describe(`calls to cancel (${kind})`, () => {
    test("a dialer's question which of its calls to cancel reads the index of pending cancels, not every call", async () => {
      const { store, drop } = await open();
      const { db } = store;
      try {
        await sql`insert into tenants (id, name) values ('t1', 'T1') on conflict do nothing`.execute(db);
        // 3,000 calls: ended ones (no lease), live ones of two dialers, and three cancels pending.
        await sql`insert into calls (tenant_id, id, kind, to_number, status, metadata, outside_window,
            next_attempt_at, created_at, updated_at, lease_owner, cancel_requested)
          select 't1', 'call_' || g, 'direct', '+12125550100', 'completed', '{}'::jsonb, 'schedule',
            now(), now(), now(),
            case when g % 10 = 0 then 'dialer-a' when g % 10 = 1 then 'dialer-b' end,
            g in (10, 20, 21, 35)
          from generate_series(1, 3000) g`.execute(db);
        await sql`analyze calls`.execute(db);

        assert.deepEqual((await callsToCancel(db, 'dialer-a')).sort(), ['call_10', 'call_20']);
        assert.deepEqual(await callsToCancel(db, 'dialer-b'), ['call_21']);
        assert.deepEqual(await callsToCancel(db, 'dialer-c'), []);

        // A custom plan, and the generic one the embedded store caches after five runs.
        const compiled = callsToCancelStatement('dialer-a').compile(db);
        await db.executeQuery(CompiledQuery.raw(`prepare cancels_probe(text) as ${compiled.sql}`));
        for (const mode of ['force_custom_plan', 'force_generic_plan']) {
          await db.executeQuery(CompiledQuery.raw(`set plan_cache_mode = ${mode}`));
          const result = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
            CompiledQuery.raw(`explain (format json) execute cancels_probe('dialer-a')`),
          );
          const plan = result.rows[0]?.['QUERY PLAN'][0].Plan;
          assert.ok(plan, 'explained');
          const scans = nodes(plan).filter((node) => node['Relation Name'] === 'calls' || node['Index Name']);
          assert.ok(
            scans.length > 0 && scans.every((node) => node['Index Name'] === 'calls_cancel_requested'),
            `(${mode}) reads only calls_cancel_requested: ${JSON.stringify(scans)}`,
          );
        }
        await db.executeQuery(CompiledQuery.raw('deallocate cancels_probe'));
        await db.executeQuery(CompiledQuery.raw('reset plan_cache_mode'));
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}
