import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { EVENTS_ENV, placeCall, setUpCampaign, startCampaign, timeline } from './fixture.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

// The fallback poll is ten minutes: every delivery below is made because the write woke the
// relay (an event committed on this node, a chain answered), never by it. The relay itself is
// tested in webhook-relay-wake.test.ts; this is the whole node, wired as main.ts wires it.
const LONG_POLL_MS = 600_000;
// Generous for a loaded two-core machine; a missed wake costs the whole poll (minutes).
const WITHIN_MS = 5000;

let server: TestServer;
const receiver = new WebhookReceiver();

before(async () => {
  await receiver.start();
  server = await startTestServer({
    env: {
      ...EVENTS_ENV,
      PCONN_EVENTS_POLL_MS: String(LONG_POLL_MS),
    },
  });
  await setUpCampaign(server, 'wake');
  const hook = await server.request<{ secret: string }>('PUT', '/v1/webhooks/wake', {
    body: { url: receiver.url, events: ['call.*'] },
  });
  assert.equal(hook.status, 201, hook.text);
  receiver.secrets = [hook.body.secret];
  await startCampaign(server, 'wake');
});
after(async () => {
  await server.close();
  await receiver.stop();
});

/** Waits until the receiver acknowledged every event of the calls' timelines (in the outbox now). */
async function expectTimelinesDelivered(callIds: string[], timeoutMs: number): Promise<void> {
  const wanted = new Set<string>();
  for (const id of callIds) for (const event of await timeline(server, id)) wanted.add(event.id);
  await receiver.waitFor(
    () => {
      const got = new Set(receiver.acknowledged().map((r) => r.webhookId));
      return [...wanted].every((id) => got.has(id));
    },
    timeoutMs,
    () => `${wanted.size} events wanted, ${receiver.acknowledged().length} acknowledged`,
  );
}

describe('webhook relay wake-ups', () => {
  test('events reach the endpoint within seconds of their commit although the poll is ten minutes', async () => {
    const calls = [];
    for (let i = 0; i < 5; i++) calls.push(await placeCall(server, 'wake', '+12125550100'));
    const ids = calls.map((c) => c.id as string);
    for (const id of ids) await waitForCallStatus(server, id, ['completed'], 30_000);
    // Each call's five events are sent one after the other (each after the previous one's 2xx):
    // the terminal ones arrive only if every answered chain woke the relay again.
    await expectTimelinesDelivered(ids, WITHIN_MS);
  });
});
