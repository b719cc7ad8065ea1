import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { EVENTS_ENV, isTerminal, placeCall, setUpCampaign, startCampaign, timeline } from './fixture.ts';
import { type ReceivedRequest, WebhookReceiver } from './webhook-receiver.ts';

let server: TestServer;
const receiver = new WebhookReceiver();
const TERMINAL = ['completed', 'failed', 'canceled', 'blocked'];

before(async () => {
  await receiver.start();
  server = await startTestServer({ env: EVENTS_ENV });
  await setUpCampaign(server, 'hooks');
  const hook = await server.request<{ secret: string }>('PUT', '/v1/webhooks/main', {
    body: { url: receiver.url, events: ['*'] },
  });
  assert.equal(hook.status, 201, hook.text);
  receiver.secrets = [hook.body.secret];
});
after(async () => {
  await server.close();
  await receiver.stop();
});

/** The acknowledged events of each call, in arrival order. */
function byCall(requests: ReceivedRequest[]): Map<string, ReceivedRequest[]> {
  const calls = new Map<string, ReceivedRequest[]>();
  for (const r of requests) {
    const call = r.event.data.call as { id: string } | undefined;
    if (!r.event.type.startsWith('call.') || !call) continue;
    calls.set(call.id, [...(calls.get(call.id) ?? []), r]);
  }
  return calls;
}

/** Waits until the receiver acknowledged every event of every call's timeline, then checks order. */
async function expectEveryEventInOrder(callIds: string[]): Promise<void> {
  const timelines = new Map<string, Array<{ id: string; type: string; sequence: number }>>();
  for (const id of callIds) timelines.set(id, await timeline(server, id));
  const wanted = new Set([...timelines.values()].flat().map((e) => e.id));
  await receiver.waitFor(
    () => {
      const got = new Set(receiver.acknowledged().map((r) => r.webhookId));
      return [...wanted].every((id) => got.has(id));
    },
    30_000,
    () => `${wanted.size} wanted, ${receiver.acknowledged().length} acknowledged`,
  );
  assert.deepEqual(receiver.unverified, [], 'every request carries a valid Standard Webhooks signature');
  const acked = byCall(receiver.acknowledged());
  for (const [id, events] of timelines) {
    const received = acked.get(id) ?? [];
    // Each event acknowledged exactly once, in sequence order, exactly as the outbox has them.
    assert.deepEqual(
      received.map((r) => [r.webhookId, r.event.type, r.event.sequence]),
      events.map((e) => [e.id, e.type, e.sequence]),
      `call ${id}`,
    );
    assert.equal(received.filter((r) => isTerminal(r.event.type)).length, 1, `one terminal event for ${id}`);
    assert.ok(isTerminal(received.at(-1)?.event.type ?? ''), 'the terminal event is the last one');
  }
}

describe('webhook delivery', () => {
  test('signed, in order per call, exactly one terminal event per call; campaign events carry the status', async () => {
    await startCampaign(server, 'hooks');
    const numbers = ['+12125550100', '+12125550101', '+12125550103', '+12125550104', '+12125550123'];
    const calls = [];
    for (let i = 0; i < 20; i++)
      calls.push(await placeCall(server, 'hooks', numbers[i % numbers.length] as string));
    // A live call cancelled mid-conversation, a waiting one cancelled, one blocked at dial time.
    const live = await placeCall(server, 'hooks', '+12125550106');
    const waiting = await placeCall(server, 'hooks', '+12125550100', {
      notBefore: new Date(Date.now() + 3600_000).toISOString(),
    });
    const later = await placeCall(server, 'hooks', '+12125550155', {
      notBefore: new Date(Date.now() + 1500).toISOString(),
    });
    await server.request('PUT', '/v1/dnc/+12125550155', { body: { reason: 'asked' } });
    await waitForCallStatus(server, live.id as string, ['connected'], 15_000);
    await server.request('POST', `/v1/calls/${live.id}/cancel`);
    await server.request('POST', `/v1/calls/${waiting.id}/cancel`);
    const all = [...calls, live, waiting, later].map((c) => c.id as string);
    const finals = [];
    for (const id of all) finals.push((await waitForCallStatus(server, id, TERMINAL, 30_000)).status);
    assert.deepEqual(
      [...new Set(finals)].sort(),
      ['blocked', 'canceled', 'completed', 'failed'],
      'every terminal kind is covered',
    );
    await expectEveryEventInOrder(all);

    const campaignEvents = receiver.acknowledged().filter((r) => r.event.type === 'campaign.status_changed');
    assert.equal(campaignEvents.length, 1);
    const started = campaignEvents[0] as ReceivedRequest;
    assert.equal(started.event.sequence, 1);
    assert.equal((started.event.data.campaign as { status: string }).status, 'running');
    assert.equal(started.event.data.from, 'draft');
    const queued = receiver.acknowledged().find((r) => r.event.type === 'call.queued') as ReceivedRequest;
    assert.equal(queued.event.data.campaignStatus, 'running', 'call events carry the campaign status');
    assert.match(queued.headers['webhook-id'] as string, /^evt_[0-9]+$/);
    assert.equal(queued.webhookId, queued.event.id, 'webhook-id is the event id');
    // Every answered attempt is counted in /metrics, with its lag (counted just after the answer).
    const acknowledged = receiver.acknowledged().length;
    let metrics = '';
    let ok = 0;
    for (const deadline = Date.now() + 5000; ok < acknowledged && Date.now() < deadline; ) {
      metrics = (await server.request('GET', '/metrics')).text;
      ok = Number(/^pconn_webhook_deliveries_total\{result="ok"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
      if (ok < acknowledged) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(ok >= acknowledged, `${ok} counted, ${acknowledged} acknowledged`);
    assert.match(metrics, /^pconn_webhook_delivery_lag_seconds_count [1-9]/m);
  });

  test('a receiver that is down for a while gets every event, in order, once acknowledged', async () => {
    receiver.requests.length = 0;
    await receiver.stop();
    const failed = async () => {
      const metrics = (await server.request('GET', '/metrics')).text;
      return Number(/^pconn_webhook_deliveries_total\{result="failed"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    };
    const failedBefore = await failed();
    const calls = [];
    for (let i = 0; i < 8; i++) calls.push(await placeCall(server, 'hooks', '+12125550100'));
    // Down for a while: until the relay has failed to deliver and failed again on a retry.
    await waitFor(async () => (await failed()) >= failedBefore + 2, {
      timeout: 10_000,
      interval: 50,
      what: 'failed delivery attempts while the receiver is down',
    });
    await receiver.start();
    // Then flaky: every third request answers 503 for a while.
    let n = 0;
    receiver.respond = () => (++n % 3 === 0 && n < 40 ? 503 : 200);
    const ids = calls.map((c) => c.id as string);
    for (const id of ids) await waitForCallStatus(server, id, TERMINAL, 30_000);
    await expectEveryEventInOrder(ids);
    // Duplicates only where a request was not acknowledged, and then with the same webhook-id.
    const acks = new Map<string, number>();
    for (const r of receiver.acknowledged()) acks.set(r.webhookId, (acks.get(r.webhookId) ?? 0) + 1);
    assert.deepEqual(
      [...acks].filter(([, count]) => count > 1),
      [],
    );
    assert.ok(
      receiver.requests.some((r) => r.answered === 503),
      'some attempts failed and were retried',
    );
    const endpoint = await server.request<{ enabled: boolean }>('GET', '/v1/webhooks/main');
    assert.equal(endpoint.body.enabled, true, 'a temporary outage does not disable the endpoint');
    receiver.respond = () => 204;
  });
});
