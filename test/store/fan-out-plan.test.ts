import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { openStore } from '../../src/store/open-store.ts';
import { fanOutDeliveries, fanOutStatement } from '../../src/store/webhooks/fan-out-deliveries.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Join Filter'?: number;
  Plans?: PlanNode[];
}

/** Every call_events row the plan touched: returned by a scan, or dropped by a filter after it. */
function callEventRowsRead(node: PlanNode, parentJoinFilter = 0): number {
  const here =
    node['Relation Name'] === 'call_events'
      ? node['Actual Rows'] * node['Actual Loops'] + (node['Rows Removed by Filter'] ?? 0) + parentJoinFilter
      : 0;
  const joinFiltered = node['Rows Removed by Join Filter'] ?? 0;
  return here + (node.Plans ?? []).reduce((sum, child) => sum + callEventRowsRead(child, joinFiltered), 0);
}

test('a fan-out round reads only its batch of the outbox, however long the history behind the cursor', async () => {
  const store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  const { db } = store;
  try {
    await sql`insert into tenants (id, name) values ('t1', 'T1') on conflict do nothing`.execute(db);
    for (let batch = 0; batch < 6; batch++) {
      await sql`insert into call_events (tenant_id, call_id, sequence, type, at, data)
        select 't1', 'call_' || ${batch}::int || '_' || g, 1, 'call.queued', now(), '{}'::jsonb
        from generate_series(1, 500) g`.execute(db);
    }
    await sql`analyze call_events`.execute(db);
    // The cursor sits 120 events before the end: 2,880 events of history lie behind it.
    await sql`update outbox_cursors set (txid, event_id) =
      (select txid, id from call_events order by txid desc, id desc offset 120 limit 1)`.execute(db);

    const compiled = fanOutStatement(50, new Date()).compile(db);
    // EXPLAIN ANALYZE runs the statement: do it in a transaction that is rolled back.
    let plan: PlanNode | undefined;
    await db
      .transaction()
      .execute(async (tx) => {
        const result = await tx.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]),
        );
        plan = result.rows[0]!['QUERY PLAN'][0].Plan;
        throw new Error('roll back');
      })
      .catch(() => {});
    assert.ok(plan, 'explained');
    const read = callEventRowsRead(plan);
    assert.ok(read > 0 && read <= 50 + 5, `one round of 50 read ${read} outbox rows`);

    // And it is still the fan-out: 120 events after the cursor, read in order, then none.
    assert.equal((await fanOutDeliveries(db, 100, new Date())).events, 100);
    assert.equal((await fanOutDeliveries(db, 100, new Date())).events, 20);
    assert.equal((await fanOutDeliveries(db, 100, new Date())).events, 0);
  } finally {
    await store.close();
  }
});
