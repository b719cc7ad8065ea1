import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CrashServer, createCrashCampaign } from '../support/crash-server.ts';
import { isTerminal } from './fixture.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const CALLS = 60;
const KILLS = 3;
const SECRET = 'webhook-crash-secret-0123456789';
const receiver = new WebhookReceiver();
let dir = '';
let server: CrashServer | undefined;

after(async () => {
  server?.stop();
  await receiver.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('SIGKILL during webhook delivery loses no event and keeps each call in order', {
  timeout: 300_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-hooks-crash-'));
  await receiver.start();
  // A slow receiver keeps deliveries in flight when the kill lands.
  receiver.delayMs = 30;
  server = new CrashServer({
    dir,
    secret: SECRET,
    env: {
      PCONN_WEBHOOK_ALLOW_PRIVATE: '1',
      PCONN_EVENTS_POLL_MS: '50',
      PCONN_WEBHOOK_TIMEOUT_MS: '1000',
      PCONN_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s',
    },
  });
  await server.start();
  const { api } = server;
  const hook = await api('PUT', '/v1/webhooks/crash-hook', { url: receiver.url, events: ['call.*'] });
  receiver.secrets = [hook.secret as string];
  await createCrashCampaign(api, 20, {
    network_error: { retry: true, gapSeconds: 1 },
    minRedialGapSeconds: 0,
  });
  const callIds: string[] = [];
  for (let i = 0; i < CALLS; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, CALLS - i) }, (_, j) =>
        api('POST', '/v1/campaigns/crash/calls', {
          contact: {
            externalId: `crash-${i + j}`,
            timezone: 'UTC',
            phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
          },
        }),
      ),
    );
    callIds.push(...batch.map((c) => c.id as string));
  }
  await server.killAndRestart(KILLS, 300, 900);

  // Every call ends; then every event of every timeline reaches the receiver.
  const deadline = Date.now() + 120_000;
  const timelines = new Map<string, Array<{ id: string; type: string; sequence: number }>>();
  for (const id of callIds) {
    for (;;) {
      const events = (
        (await api('GET', `/v1/calls/${id}/events`)) as {
          data: Array<{ id: string; type: string; sequence: number }>;
        }
      ).data;
      if (events.some((e) => isTerminal(e.type))) {
        timelines.set(id, events);
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`call ${id} did not end: ${JSON.stringify(events.map((e) => e.type))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const wanted = [...timelines.values()].flat().map((e) => e.id);
  await receiver.waitFor(
    () => {
      const got = new Set(receiver.acknowledged().map((r) => r.webhookId));
      return wanted.every((id) => got.has(id));
    },
    90_000,
    () =>
      `${wanted.length} wanted, ${new Set(receiver.acknowledged().map((r) => r.webhookId)).size} received`,
  );
  assert.deepEqual(receiver.unverified, []);
  // First receipt of each event, per call, follows the outbox sequence; one terminal event each.
  const firstSeen = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const r of receiver.acknowledged()) {
    if (seen.has(r.webhookId)) continue;
    seen.add(r.webhookId);
    const call = (r.event.data.call as { id: string }).id;
    firstSeen.set(call, [...(firstSeen.get(call) ?? []), r.webhookId]);
  }
  for (const [id, events] of timelines) {
    assert.deepEqual(
      firstSeen.get(id),
      events.map((e) => e.id),
      `call ${id} in order`,
    );
    assert.equal(events.filter((e) => isTerminal(e.type)).length, 1);
  }
  // Duplicates after a kill are the same event (same webhook-id and body).
  const bodies = new Map<string, string>();
  for (const r of receiver.requests) {
    const body = bodies.get(r.webhookId);
    if (body !== undefined) assert.equal(r.body, body);
    bodies.set(r.webhookId, r.body);
  }
});
