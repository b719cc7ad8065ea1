import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { claimAgentForAnswer } from '../../src/service/agent-sessions/predictive-connect.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * The predictive connect's claim in SQL (issue 17), on both stores: concurrent live answers
 * never take one agent twice, one answer never gets two agents, the longest-idle agent goes
 * first, and only agents of the node holding the session, available and of the campaign count.
 */

type Json = Record<string, unknown>;
const AGENTS = ['q-1', 'q-2', 'q-3'];
const NODE = 'node-q';

after(() => stopTestPostgres());

for (const storeKind of ['pglite', 'postgres'] as const) {
  describe(`predictive agent claim (${storeKind})`, () => {
    let server: TestServer;
    let contacts = 0;

    before(async () => {
      server = await startTestServer({ storeKind, env: { PCONN_DIALER: 'off' } });
      await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
      for (const agent of AGENTS)
        await server.request('PUT', `/v1/users/${agent}`, {
          body: { name: agent, device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` } },
        });
      const res = await server.request('PUT', '/v1/campaigns/paced', {
        body: {
          name: 'paced',
          callerId: '+14155550100',
          agentIds: AGENTS,
          timezone: 'UTC',
          callingWindow: { start: '00:00', end: '00:00' },
        },
      });
      assert.ok(res.status < 300, res.text);
      await server.request('POST', '/v1/campaigns/paced/start');
      for (const agent of AGENTS) await server.request('PUT', `/v1/users/${agent}/session`, { body: {} });
    });
    after(() => server?.close());

    /** Every agent ready on NODE and available, idle since `idle[i]` seconds ago. */
    async function resetAgents(idle: number[]): Promise<void> {
      // Earlier answers are over: their agents are on no live call.
      await sql`update calls set status = 'completed' where status = 'dialing_contact'`.execute(
        server.store.db,
      );
      for (const [i, agent] of AGENTS.entries())
        await sql`update agent_sessions set status = 'ready', leg_state = 'held', lease_owner = ${NODE},
            agent_state = 'available', state_call_id = null,
            state_since = now() - make_interval(secs => ${idle[i] ?? 0})
          where user_id = ${agent} and status <> 'ended'`.execute(server.store.db);
    }

    /** A predictive call whose contact was just dialled (no agent yet). */
    async function answeredCall(): Promise<string> {
      contacts += 1;
      const res = await server.request<Json>('POST', '/v1/campaigns/paced/calls', {
        body: {
          contact: {
            externalId: `pq-${contacts}`,
            timezone: 'UTC',
            phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
          },
        },
      });
      assert.equal(res.status, 202, res.text);
      const id = res.body.id as string;
      await sql`update calls set status = 'dialing_contact', attempts_made = 1, user_id = null where id = ${id}`.execute(
        server.store.db,
      );
      await sql`insert into call_attempts (tenant_id, call_id, n, user_id, started_at, decision, driver)
        values ('default', ${id}, 1, null, now(), '{}'::jsonb, 'sandbox')`.execute(server.store.db);
      return id;
    }

    const claim = (callId: string) =>
      claimAgentForAnswer(
        server.store.db,
        { tenantId: 'default', campaignId: 'paced', callId, n: 1, owner: NODE },
        new Date(),
      );

    test('concurrent answers: each agent takes at most one, the longest idle first', async () => {
      await resetAgents([30, 300, 100]);
      await sql`update agent_sessions set agent_state = 'paused', pause_reason = 'x' where user_id = 'q-3' and status <> 'ended'`.execute(
        server.store.db,
      );
      const calls = [await answeredCall(), await answeredCall(), await answeredCall()];
      const claims = await Promise.all(calls.map((id) => claim(id)));
      const made = claims.filter((c) => c !== undefined);
      assert.equal(
        made.length,
        2,
        `two free agents, two answers connected: ${JSON.stringify(made.map((m) => m.userId))}`,
      );
      assert.deepEqual(new Set(made.map((m) => m.userId)), new Set(['q-1', 'q-2']), 'never the paused agent');
      const rows = await sql<{ id: string; user_id: string | null }>`select id, user_id from calls
        where id in (${sql.join(calls)})`.execute(server.store.db);
      const assigned = rows.rows.filter((r) => r.user_id !== null);
      assert.equal(assigned.length, 2);
      assert.equal(new Set(assigned.map((r) => r.user_id)).size, 2, 'no agent holds two contacts');
      const attempts = await sql<{ user_id: string | null }>`select user_id from call_attempts
        where call_id in (${sql.join(calls)}) and user_id is not null`.execute(server.store.db);
      assert.equal(attempts.rows.length, 2, 'the attempts name their agents');

      await resetAgents([30, 300, 100]);
      const first = await claim(await answeredCall());
      assert.equal(first?.userId, 'q-2', 'the longest-idle agent (idle 300 s) goes first');
    });

    test('one answer claimed at once by several rounds gets one agent', async () => {
      await resetAgents([10, 20, 30]);
      const id = await answeredCall();
      const claims = await Promise.all([claim(id), claim(id), claim(id)]);
      const made = claims.filter((c) => c !== undefined);
      assert.equal(made.length, 1, `one agent for one contact: ${JSON.stringify(made.map((m) => m.userId))}`);
      const reserved = await sql<{ user_id: string }>`select user_id from agent_sessions
        where agent_state = 'reserved' and status <> 'ended'`.execute(server.store.db);
      assert.deepEqual(
        reserved.rows.map((r) => r.user_id),
        [made[0]?.userId],
        'the other agents stay available',
      );
    });

    test('agents of another node or not available are never claimed', async () => {
      await resetAgents([10, 20, 30]);
      await sql`update agent_sessions set lease_owner = 'elsewhere' where status <> 'ended'`.execute(
        server.store.db,
      );
      assert.equal(await claim(await answeredCall()), undefined, 'no agent of this node');
    });
  });
}
