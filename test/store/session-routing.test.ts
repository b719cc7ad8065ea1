import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadDialFacts, loadDialFactsBatch } from '../../src/store/calls/load-dial-facts.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * The pre-dial read routes a call to a session agent only when that agent is `available` on the
 * asking dialer, longest idle (oldest state_since) first, before the campaign's agentIds order;
 * on both stores. Sessions are put in their states directly (no dialer runs).
 */

type Json = Record<string, unknown>;
const NODE = 'node-routing';
const AGENTS = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5'];

after(() => stopTestPostgres());

for (const storeKind of ['pglite', 'postgres'] as const) {
  describe(`session routing (${storeKind})`, () => {
    let server: TestServer;
    let callId: string;
    const sessions = new Map<string, string>();

    before(async () => {
      server = await startTestServer({ storeKind, env: { PCONN_DIALER: 'off' } });
      await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
      for (const agent of AGENTS)
        await server.request('PUT', `/v1/users/${agent}`, {
          body: { name: agent, device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` } },
        });
      await server.request('PUT', '/v1/campaigns/routing', {
        body: {
          name: 'Routing',
          callerId: '+14155550100',
          agentIds: AGENTS,
          timezone: 'UTC',
          callingWindow: { start: '00:00', end: '00:00' },
        },
      });
      await server.request('POST', '/v1/campaigns/routing/start');
      for (const agent of AGENTS) {
        const res = await server.request<Json>('PUT', `/v1/users/${agent}/session`, { body: {} });
        sessions.set(agent, res.body.id as string);
      }
      const call = await server.request<Json>('POST', '/v1/campaigns/routing/calls', {
        body: {
          contact: {
            externalId: 'rc-1',
            timezone: 'UTC',
            phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
          },
        },
      });
      callId = call.body.id as string;
    });
    after(() => server?.close());

    /** Puts `agent`'s session on NODE, ready, in `state` since `idleSeconds` ago. */
    async function place(agent: string, state: string, idleSeconds: number, node = NODE) {
      await sql`update agent_sessions set status = 'ready', leg_state = 'held', lease_owner = ${node},
        agent_state = ${state}, state_since = ${new Date(Date.now() - idleSeconds * 1000)}
        where id = ${sessions.get(agent) as string}`.execute(server.store.db);
    }

    test('only available agents, longest idle first, only on the asking dialer', async () => {
      await place('r-1', 'paused', 900);
      await place('r-2', 'wrap_up', 800);
      await place('r-3', 'available', 10);
      await place('r-4', 'available', 300);
      await place('r-5', 'available', 600, 'another-node');
      const db = server.store.db;
      const one = await loadDialFacts(db, 'default', callId, NODE);
      assert.equal(one?.freeAgent?.id, 'r-4', 'the longest-idle available agent, not the first in agentIds');
      assert.equal(one?.freeAgent?.sessionId, sessions.get('r-4'));
      const [batch] = await loadDialFactsBatch(db, [{ tenantId: 'default', callId }], NODE);
      assert.deepEqual(
        batch?.freeAgents.map((a) => a.id),
        ['r-4'],
        'a batch of one call gets the longest-idle agent',
      );

      await place('r-4', 'reserved', 0);
      const next = await loadDialFacts(db, 'default', callId, NODE);
      assert.equal(next?.freeAgent?.id, 'r-3', 'a reserved agent is not free');
      await place('r-3', 'on_call', 0);
      const none = await loadDialFacts(db, 'default', callId, NODE);
      assert.equal(none?.freeAgent ?? null, null, 'nobody available on this dialer');
    });

    test('calls of one campaign in a batch share its document and its free agents', async () => {
      await place('r-3', 'available', 10);
      await place('r-4', 'available', 300);
      const more: string[] = [];
      for (const externalId of ['rc-2', 'rc-3']) {
        const res = await server.request<Json>('POST', '/v1/campaigns/routing/calls', {
          body: {
            contact: {
              externalId,
              timezone: 'UTC',
              phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
            },
          },
        });
        more.push(res.body.id as string);
      }
      const batch = await loadDialFactsBatch(
        server.store.db,
        [callId, ...more].map((id) => ({ tenantId: 'default', callId: id })),
        NODE,
      );
      assert.equal(batch.length, 3);
      for (const facts of batch) {
        assert.equal(
          (facts?.campaign as { name?: string } | null)?.name,
          'Routing',
          'every call has its campaign',
        );
        assert.deepEqual(
          // A session agent may be listed twice (callers skip agents already taken).
          [...new Set(facts?.freeAgents.map((a) => a.id))],
          ['r-4', 'r-3'],
          'every call sees the campaign’s free agents, longest idle first',
        );
      }
    });
  });
}
