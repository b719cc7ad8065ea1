import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { EVENTS_ENV, placeCall, setUpCampaign, startCampaign, timeline, waitForEnd } from './fixture.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

type Delivery = {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastAttempt: { statusCode: number | null; error: string | null } | null;
  deliveredAt: string | null;
};
type Page = { data: Delivery[]; nextCursor: string | null };

let server: TestServer;
const receiver = new WebhookReceiver();
const broken = new WebhookReceiver();
let secret = '';

before(async () => {
  await receiver.start();
  await broken.start();
  broken.respond = () => 500;
  server = await startTestServer({
    env: {
      ...EVENTS_ENV,
      PCONN_WEBHOOK_RETRY_SCHEDULE: '50ms,100ms',
      PCONN_WEBHOOK_SECRET_OVERLAP_SECONDS: '60',
    },
  });
  await setUpCampaign(server, 'log');
  const hook = await server.request<{ secret: string }>('PUT', '/v1/webhooks/logged', {
    body: { url: receiver.url, events: ['call.*', 'webhook.*'] },
  });
  secret = hook.body.secret;
  receiver.secrets = [secret];
  await startCampaign(server, 'log');
});
after(async () => {
  await server.close();
  await receiver.stop();
  await broken.stop();
});

async function deliveries(query = '', token?: string): Promise<{ status: number; body: Page }> {
  return server.request<Page>('GET', `/v1/webhooks/logged/deliveries${query}`, { token });
}

describe('delivery log, redelivery, secret rotation, disabling', () => {
  test('the log lists every delivery with its attempt, pages with a cursor, and is tenant-scoped', async () => {
    const call = await placeCall(server, 'log', '+12125550100');
    await waitForEnd(server, call.id as string);
    const events = await timeline(server, call.id as string);
    await receiver.waitFor(
      () => events.every((e) => receiver.acknowledged().some((r) => r.webhookId === e.id)),
      10_000,
    );
    // Acknowledged is not yet settled: the relay records 2xx answers in batches. Wait for that.
    await waitFor(
      async () => (await deliveries('?status=delivered&limit=100')).body.data.length >= events.length,
      { timeout: 10_000, interval: 25, what: 'every delivery recorded as delivered' },
    );
    const all: Delivery[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Page } = await deliveries(
        `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(page.status, 200);
      assert.ok(page.body.data.length <= 2);
      all.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(
      all.map((d) => d.eventId).sort(),
      events.map((e) => e.id).sort(),
      'one delivery per event (campaign events are not subscribed)',
    );
    for (const d of all) {
      assert.equal(d.status, 'delivered');
      assert.equal(d.attempts, 1);
      assert.equal(d.lastAttempt?.statusCode, 204);
      assert.match(d.id, /^dlv_[0-9]+$/);
    }
    const filtered = await deliveries('?eventType=call.completed');
    assert.deepEqual(
      filtered.body.data.map((d) => d.eventType),
      ['call.completed'],
    );
    const otherTenant = await server.request('POST', '/v1/tenants', {
      body: { id: 'elsewhere', name: 'Elsewhere' },
    });
    assert.equal(otherTenant.status, 201);
    const foreign = await deliveries(
      '',
      await server.tokenWithScopes(['webhooks:read', 'webhooks:write'], 'elsewhere'),
    );
    assert.equal(foreign.status, 404, "another tenant's endpoint is 404");
    const noScope = await deliveries('', await server.tokenWithScopes(['calls:read']));
    assert.equal(noScope.status, 403);
  });

  test('redelivery sends the same event again with the same webhook-id', async () => {
    const [latest] = (await deliveries('?eventType=call.completed')).body.data;
    assert.ok(latest);
    const before = receiver.requests.length;
    const res = await server.request<Delivery>(
      'POST',
      `/v1/webhooks/logged/deliveries/${latest.id}/redeliver`,
    );
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.status, 'pending');
    await receiver.waitFor(() => receiver.requests.length > before, 5000);
    const again = receiver.requests.at(-1);
    assert.equal(again?.webhookId, latest.eventId);
    const missing = await server.request('POST', '/v1/webhooks/logged/deliveries/dlv_999999/redeliver');
    assert.equal(missing.status, 404);
    const readOnly = await server.request('POST', `/v1/webhooks/logged/deliveries/${latest.id}/redeliver`, {
      token: await server.tokenWithScopes(['webhooks:read']),
    });
    assert.equal(readOnly.status, 403);
  });

  test('after a rotation both secrets sign until the overlap ends', async () => {
    const rotated = await server.request<{ secret: string }>('PUT', '/v1/webhooks/logged', {
      body: { url: receiver.url, events: ['call.*', 'webhook.*'], rotateSecret: true },
    });
    assert.equal(rotated.status, 200, rotated.text);
    const fresh = rotated.body.secret;
    assert.ok(fresh.startsWith('whsec_') && fresh !== secret);
    receiver.secrets = [secret, fresh];
    const before = receiver.requests.length;
    const call = await placeCall(server, 'log', '+12125550101');
    await waitForEnd(server, call.id as string);
    await receiver.waitFor(() => receiver.requests.length >= before + 2, 10_000);
    for (const r of receiver.requests.slice(before)) {
      const signatures = String(r.headers['webhook-signature']).split(' ');
      assert.equal(signatures.length, 2, 'two signatures during the overlap');
      assert.deepEqual(r.verifiedWith, [0, 1], 'each secret verifies on its own');
      const headers = {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
      };
      // Each signature belongs to one secret: the old one verifies the second, the new one the first.
      new StandardWebhook(fresh).verify(r.body, { ...headers, 'webhook-signature': signatures[0] as string });
      new StandardWebhook(secret).verify(r.body, {
        ...headers,
        'webhook-signature': signatures[1] as string,
      });
      assert.throws(() =>
        new StandardWebhook(secret).verify(r.body, {
          ...headers,
          'webhook-signature': signatures[0] as string,
        }),
      );
    }
  });

  test('an endpoint that keeps failing is disabled, with a webhook.endpoint_disabled event', async () => {
    const hook = await server.request<{ secret: string }>('PUT', '/v1/webhooks/broken', {
      body: { url: broken.url, events: ['call.*'] },
    });
    assert.equal(hook.status, 201);
    broken.secrets = [hook.body.secret];
    const call = await placeCall(server, 'log', '+12125550103');
    await waitForEnd(server, call.id as string);
    await receiver.waitFor(
      () => receiver.acknowledged().some((r) => r.event.type === 'webhook.endpoint_disabled'),
      15_000,
      () => `broken got ${broken.requests.length} requests`,
    );
    const disabled = receiver.acknowledged().find((r) => r.event.type === 'webhook.endpoint_disabled');
    assert.ok(disabled);
    assert.equal((disabled.event.data.webhook as { id: string }).id, 'broken');
    assert.equal(disabled?.event.sequence, 1);
    assert.match(String(disabled?.event.data.reason), /failed 3 times/);
    // First attempt plus the two retries of the schedule, all for the first event (order holds).
    assert.equal(broken.requests.length, 3);
    assert.equal(new Set(broken.requests.map((r) => r.webhookId)).size, 1);
    assert.deepEqual(broken.unverified, []);
    const endpoint = await server.request<{ enabled: boolean }>('GET', '/v1/webhooks/broken');
    assert.equal(endpoint.body.enabled, false);
    const log = await server.request<Page>('GET', '/v1/webhooks/broken/deliveries?status=failed');
    assert.equal(log.body.data.length, 1);
    assert.equal(log.body.data[0]?.attempts, 3);
    assert.equal(log.body.data[0]?.lastAttempt?.statusCode, 500);
    // Nothing more goes to a disabled endpoint.
    const count = broken.requests.length;
    const next = (await placeCall(server, 'log', '+12125550100')).id as string;
    await waitForEnd(server, next);
    // The enabled endpoint subscribes to the same events: once it has them all, the relay has
    // handled them, and sent the disabled endpoint none.
    const nextEvents = await timeline(server, next);
    await receiver.waitFor(
      () => nextEvents.every((e) => receiver.acknowledged().some((r) => r.webhookId === e.id)),
      10_000,
    );
    assert.equal(broken.requests.length, count);
  });
});
