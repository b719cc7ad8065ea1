import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createPconn, type Pconn } from '../../src/main.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { EVENTS_ENV, isTerminal } from './fixture.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const SECRET = 'two-nodes-secret-0123456789';
const receiver = new WebhookReceiver();
const nodes: Array<{ pconn: Pconn; store: Store; url: string }> = [];
let drop: (() => Promise<void>) | undefined;

before(async () => {
  await receiver.start();
  const database = await createTestDatabase();
  drop = database.drop;
  for (let i = 0; i < 2; i++) {
    const store = await openStore({ kind: 'postgres', url: database.url });
    const config = loadConfig({
      ...EVENTS_ENV,
      PORT: '0',
      PCONN_BOOTSTRAP_CLIENT_ID: 'nodes',
      PCONN_BOOTSTRAP_CLIENT_SECRET: SECRET,
      PCONN_WEBHOOK_ALLOW_PRIVATE: '1',
      PCONN_SIP_ALLOW_DESTINATIONS: '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
      PCONN_AGENT_RING_SECONDS: '600',
      PCONN_CONTACT_RING_SECONDS: '600',
      PCONN_WEBHOOK_CONCURRENCY: '4',
    });
    const pconn = await createPconn(config, { store, logger: pino({ level: 'silent' }) });
    await pconn.app.listen({ host: '127.0.0.1', port: 0 });
    nodes.push({ pconn, store, url: `http://127.0.0.1:${(pconn.app.server.address() as AddressInfo).port}` });
  }
});
after(async () => {
  for (const node of nodes) {
    await node.pconn.close();
    await node.store.close();
  }
  await drop?.();
  await stopTestPostgres();
  await receiver.stop();
});

test('two nodes on one PostgreSQL share the delivery work: every event once, in order per call', async () => {
  const [a, b] = nodes;
  assert.ok(a && b);
  const token = async (url: string) => {
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'nodes',
        client_secret: SECRET,
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const api = async (url: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token(url)}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const hook = await api(a.url, 'PUT', '/v1/webhooks/shared', { url: receiver.url, events: ['call.*'] });
  receiver.secrets = [hook.secret as string];
  // A slow receiver keeps both relays busy at once.
  receiver.delayMs = 20;
  await api(a.url, 'PUT', '/v1/caller-ids/+14155550100', { verified: true });
  const agents = Array.from({ length: 10 }, (_, i) => `agent-${i}`);
  for (const agent of agents)
    await api(a.url, 'PUT', `/v1/users/${agent}`, {
      name: agent,
      device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` },
    });
  await api(a.url, 'PUT', '/v1/campaigns/nodes', {
    name: 'Nodes',
    callerId: '+14155550100',
    agentIds: agents,
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
  });
  await api(a.url, 'POST', '/v1/campaigns/nodes/start');
  const ids: string[] = [];
  for (let i = 0; i < 16; i++) {
    const node = i % 2 ? b : a;
    const call = await api(node.url, 'POST', '/v1/campaigns/nodes/calls', {
      contact: {
        externalId: `n-${i}`,
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    });
    ids.push(call.id as string);
  }
  const timelines = new Map<string, string[]>();
  const deadline = Date.now() + 30_000;
  for (const id of ids) {
    for (;;) {
      const events = (await api(a.url, 'GET', `/v1/calls/${id}/events`)).data as Array<{
        id: string;
        type: string;
      }>;
      if (events.some((e) => isTerminal(e.type))) {
        timelines.set(
          id,
          events.map((e) => e.id),
        );
        break;
      }
      if (Date.now() > deadline) throw new Error(`call ${id} did not end`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const wanted = [...timelines.values()].flat();
  await receiver.waitFor(
    () => wanted.every((id) => receiver.acknowledged().some((r) => r.webhookId === id)),
    30_000,
    () => `${receiver.acknowledged().length} of ${wanted.length}`,
  );
  // Every delivery settled as delivered: no relay claims it again, so no later send can come.
  await waitFor(
    async () => {
      const rows = await a.store.db.selectFrom('webhook_deliveries').select('status').execute();
      return rows.length === wanted.length && rows.every((d) => d.status === 'delivered');
    },
    { timeout: 10_000, interval: 25, what: 'every delivery settled' },
  );
  assert.deepEqual(receiver.unverified, []);
  assert.equal(receiver.requests.length, wanted.length, 'no event was sent twice (no node died)');
  for (const [id, events] of timelines) {
    const got = receiver.requests
      .filter((r) => (r.event.data.call as { id: string }).id === id)
      .map((r) => r.webhookId);
    assert.deepEqual(got, events, `call ${id} in order`);
  }
  const rows = await a.store.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).execute();
  assert.equal(rows.length, wanted.length);
  assert.ok(rows.every((d) => d.status === 'delivered' && d.attempts === 1));
});
