import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { dialFactsStatement, loadDialFacts } from '../../src/store/calls/load-dial-facts.ts';
import { type PlanNode, rowsRead } from '../support/plan-rows.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const AGENTS = 150;
const BUSY = 40;

let server: TestServer;
const agents = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
const callIds: string[] = [];

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  for (const agent of agents)
    await server.request('PUT', `/v1/users/${agent}`, {
      body: { name: agent, device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` } },
    });
  await server.request('PUT', '/v1/campaigns/many-agents', {
    body: {
      name: 'Many agents',
      callerId: '+14155550100',
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
      agentIds: agents,
    },
  });
  await server.request('POST', '/v1/campaigns/many-agents/start');
  for (let i = 0; i <= BUSY; i++) {
    const res = await server.request('POST', '/v1/campaigns/many-agents/calls', {
      body: {
        contact: {
          externalId: `c-${i}`,
          timezone: 'UTC',
          phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
        },
      },
    });
    callIds.push((res.body as { id: string }).id);
  }
  // The first BUSY agents of the campaign are on calls.
  for (let i = 0; i < BUSY; i++)
    await sql`update calls set status = 'connected', user_id = ${agents[i]} where id = ${callIds[i]}`.execute(
      server.store.db,
    );
  // Fresh statistics, as the store's maintenance keeps them: with them the planner used to pick
  // a hash anti join over the busy calls and sort afterwards, looking up every agent.
  await sql`analyze`.execute(server.store.db);
});
after(() => server.close());

test('the pre-dial read picks the first free agent in campaign order and stops there', async () => {
  const db = server.store.db;
  const probe = callIds[BUSY]!;
  const facts = await loadDialFacts(db, 'default', probe);
  assert.equal(facts?.freeAgent?.id, `agent-${BUSY}`);

  const compiled = dialFactsStatement('default', probe, null).compile(db);
  const result = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]),
  );
  const plan = result.rows[0]!['QUERY PLAN'][0].Plan;
  // One user looked up (the free agent), not every agent of the campaign.
  assert.ok(rowsRead(plan, 'users') <= 2, `users read: ${rowsRead(plan, 'users')}`);
  assert.ok(rowsRead(plan, 'agent_sessions') <= 2, `sessions read: ${rowsRead(plan, 'agent_sessions')}`);
});
