import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { beatNode } from '../../src/store/registrations/nodes.ts';
import { saveBindings } from '../../src/store/registrations/save-bindings.ts';
import { SEED_CALLER_ID, seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * The dialer's side of shared registrations (issue 15 point 4), without SIP: a call whose agent's
 * registered phone is bound through another alive node is handed to that node, never dialled
 * here; once that node's heartbeat lapses (killed), this node dials it — the call is not lost.
 */

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER_POLL_MS: '20', PCONN_SANDBOX_TIME_SCALE: '0.02' } });
  const callerId = await server.request('PUT', `/v1/caller-ids/${SEED_CALLER_ID}`, {
    body: { verified: true },
  });
  assert.ok(callerId.status < 300, callerId.text);
  const user = await server.request('PUT', '/v1/users/agent', {
    body: {
      name: 'Agent',
      device: { type: 'registered', username: 'alice', password: 'a-long-sip-password' },
    },
  });
  assert.ok(user.status < 300, user.text);
  await startRunningCampaign(server, 'held', { agentIds: ['agent'] });
  await seedAgent(server, 'sip-agent');
  await startRunningCampaign(server, 'sentinel', { agentIds: ['sip-agent'] });
});
after(() => server?.close());

test('a call for an agent whose phone another node holds is handed to it, and dialled here once that node dies', async () => {
  const { db } = server.store;
  const inOneHour = new Date(Date.now() + 3600_000);
  await beatNode(db, 'node-b', inOneHour, new Date());
  await saveBindings(db, {
    tenantId: 'default',
    username: 'alice',
    nodeId: 'node-b',
    transport: 'udp',
    source: '192.0.2.7:5062',
    saved: [{ contact: 'sip:alice@192.0.2.7:5062', q: 1, expiresAt: inOneHour, updatedAt: new Date() }],
    removed: [],
    removedAll: false,
  });
  const created = await server.request<{ id: string }>('POST', '/v1/campaigns/held/calls', {
    body: {
      contact: {
        externalId: 'held-1',
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    },
  });
  assert.equal(created.status, 202, created.text);
  const id = created.body.id;
  const row = async () =>
    (
      await sql<{
        status: string;
        dial_node: string | null;
        attempts_made: number;
        lease_owner: string | null;
      }>`
        select status, dial_node, attempts_made, lease_owner from calls where id = ${id}`.execute(db)
    ).rows[0];
  const handed = await waitFor(async () => ((await row())?.dial_node === 'node-b' ? row() : undefined), {
    what: 'the call handed to node-b',
  });
  assert.deepEqual(
    { status: handed?.status, attempts: handed?.attempts_made, lease: handed?.lease_owner },
    { status: 'queued', attempts: 0, lease: null },
    'no attempt written here, the lease released for node-b',
  );
  // A call of another campaign, due after it, dialled by this node: the dialer has claimed since
  // (oldest due first) and left the handed call to node-b.
  const sentinel = await server.request<{ id: string }>('POST', '/v1/campaigns/sentinel/calls', {
    body: {
      contact: {
        externalId: 'sentinel-1',
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    },
  });
  assert.equal(sentinel.status, 202, sentinel.text);
  await waitFor(
    async () =>
      (await server.request<{ attempts: unknown[] }>('GET', `/v1/calls/${sentinel.body.id}`)).body.attempts
        .length > 0,
    { timeout: 15_000, what: 'the sentinel call dialled', interval: 25 },
  );
  assert.equal((await row())?.attempts_made, 0, 'still not dialled here while node-b is alive');
  // node-b is killed: its heartbeat lapses, its binding is no longer used, this node dials.
  await sql`update pconn_nodes set alive_until = ${new Date(Date.now() - 1000)} where id = 'node-b'`.execute(
    db,
  );
  const dialled = await waitFor(async () => ((await row())?.attempts_made ?? 0) > 0, {
    timeout: 15_000,
    what: 'the call dialled by this node',
  });
  assert.ok(dialled, 'dialled once node-b is dead');
});
