import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import {
  ACTIVE_AGENTS_COUNTED,
  campaignActiveAgents,
  loadCampaignCallFacts,
} from '../../src/store/calls/load-campaign-call-facts.ts';
import { type PlanNode, rowsRead } from '../support/plan-rows.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/** Users of the tenant, most of them agents of other campaigns (sip_rss_delta_10k has 10,000). */
const USERS = 2000;
const AGENTS = 200;
const DISABLED = 10;
/** A campaign with fewer agents than are counted. */
const FEW = 30;

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  const db = server.store.db;
  // Written straight to the store, with no ANALYZE after: the statistics still say the users
  // table is empty, as on a node whose agents were all created since its last maintenance.
  await sql`insert into users (tenant_id, id, data)
    select 'default', 'agent-' || g, jsonb_build_object('id', 'agent-' || g, 'name', 'Agent ' || g,
      'status', case when g < ${DISABLED} then 'disabled' else 'active' end,
      'device', jsonb_build_object('type', 'sip', 'uri', 'sip:agent' || g || '@127.0.0.1'))
    from generate_series(0, ${USERS - 1}) g`.execute(db);
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
  await sql`insert into campaigns (tenant_id, id, data)
    values ('default', 'many', ${JSON.stringify({ id: 'many', name: 'Many', agentIds })}::jsonb),
      ('default', 'few', ${JSON.stringify({ id: 'few', name: 'Few', agentIds: agentIds.slice(0, FEW) })}::jsonb)`.execute(
    db,
  );
});
after(() => server.close());

test("a campaign's active agents are counted by probing each agent, not by scanning every user", async () => {
  const db = server.store.db;
  const [facts] = await loadCampaignCallFacts(db, [
    {
      tenantId: 'default',
      campaignId: 'many',
      contactId: null,
      contactExternalId: 'nobody',
      userId: null,
      callId: null,
    },
  ]);
  // Counted up to ACTIVE_AGENTS_COUNTED (100 of the 190 active), the disabled ones not at all.
  assert.equal(facts?.activeAgents, ACTIVE_AGENTS_COUNTED);
  assert.ok(AGENTS - DISABLED > ACTIVE_AGENTS_COUNTED);
  const [few] = await loadCampaignCallFacts(db, [
    {
      tenantId: 'default',
      campaignId: 'few',
      contactId: null,
      contactExternalId: 'nobody',
      userId: null,
      callId: null,
    },
  ]);
  assert.equal(few?.activeAgents, FEW - DISABLED, 'the disabled agents are not counted');

  const compiled = sql`select ${campaignActiveAgents(sql.val('default'), sql.val('many'))} as n`.compile(db);
  const result = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]),
  );
  const read = rowsRead(result.rows[0]!['QUERY PLAN'][0].Plan, 'users');
  // One index probe per agent until the count is reached (the disabled ones first); the join it
  // replaced read all 2,000 users (and re-read the agentIds for each of them: 4.8 s per accept
  // batch at 10,000 users), the count it replaced probed all 200 agents.
  assert.ok(
    read <= ACTIVE_AGENTS_COUNTED + DISABLED,
    `users rows read: ${read} (the campaign has ${AGENTS} agents)`,
  );
});
