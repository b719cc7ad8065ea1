import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import {
  EVENTS_ENV,
  isTerminal,
  placeCall,
  setUpCampaign,
  startCampaign,
  timeline,
  waitForEnd,
} from './fixture.ts';
import { SseClient } from './sse-client.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

let server: TestServer;
const receiver = new WebhookReceiver();

before(async () => {
  await receiver.start();
  server = await startTestServer({ storeKind: 'postgres', env: EVENTS_ENV });
});
after(async () => {
  await server.close();
  await stopTestPostgres();
  await receiver.stop();
});

test('outbox, webhooks and the event stream work on real PostgreSQL (pool of connections)', async () => {
  await setUpCampaign(server, 'pg');
  const hook = await server.request<{ secret: string }>('PUT', '/v1/webhooks/pg', {
    body: { url: receiver.url, events: ['*'] },
  });
  receiver.secrets = [hook.body.secret];
  const stream = new SseClient(`${server.url}/v1/events?campaignId=pg`, {
    authorization: `Bearer ${await server.adminToken()}`,
  });
  await stream.open();
  await startCampaign(server, 'pg');
  // Concurrent writers on several connections: the (txid, id) order must not skip a late commit.
  const calls = await Promise.all(
    Array.from({ length: 12 }, (_, i) => placeCall(server, 'pg', i % 2 ? '+12125550101' : '+12125550100')),
  );
  const ids = calls.map((c) => c.id as string);
  for (const id of ids) await waitForEnd(server, id);
  const wanted = new Map<string, string[]>();
  for (const id of ids)
    wanted.set(
      id,
      (await timeline(server, id)).map((e) => e.id),
    );
  const all = [...wanted.values()].flat();
  await receiver.waitFor(
    () => all.every((id) => receiver.acknowledged().some((r) => r.webhookId === id)),
    20_000,
    () => `${receiver.acknowledged().length} of ${all.length}`,
  );
  const deadline = Date.now() + 10_000;
  while (
    stream.events().filter((e) => e.type.startsWith('call.')).length < all.length &&
    Date.now() < deadline
  )
    await new Promise((r) => setTimeout(r, 50));
  await stream.close();
  assert.deepEqual(receiver.unverified, []);
  for (const [id, events] of wanted) {
    const got = receiver
      .acknowledged()
      .filter((r) => (r.event.data.call as { id?: string } | undefined)?.id === id);
    assert.deepEqual(
      got.map((r) => r.webhookId),
      events,
      `webhooks for ${id} in order, once`,
    );
    const streamed = stream.events().filter((e) => (e.data.call as { id?: string } | undefined)?.id === id);
    assert.deepEqual(
      streamed.map((e) => e.id),
      events,
      `stream for ${id} in order, once`,
    );
    assert.equal(
      events.filter((e) =>
        isTerminal(receiver.acknowledged().find((r) => r.webhookId === e)?.event.type ?? ''),
      ).length,
      1,
    );
  }
  assert.equal(stream.events()[0]?.type, 'campaign.status_changed');
});
