import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freeTcpPort, startServerProcess } from '../support/server-process.ts';
import { isTerminal } from './fixture.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const CALLS = 60;
const KILLS = 3;
const SECRET = 'webhook-crash-secret-0123456789';
const receiver = new WebhookReceiver();
let dir = '';
let child: ChildProcess | undefined;

after(async () => {
  child?.kill('SIGKILL');
  await receiver.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts the real server process and waits until it answers /readyz. */
function startServer(port: number): Promise<ChildProcess> {
  return startServerProcess({
    port,
    dir,
    secret: SECRET,
    env: {
      PCONN_WEBHOOK_ALLOW_PRIVATE: '1',
      PCONN_EVENTS_POLL_MS: '50',
      PCONN_WEBHOOK_TIMEOUT_MS: '1000',
      PCONN_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s',
    },
  });
}

test('SIGKILL during webhook delivery loses no event and keeps each call in order', {
  timeout: 300_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-hooks-crash-'));
  await receiver.start();
  // A slow receiver keeps deliveries in flight when the kill lands.
  receiver.delayMs = 30;
  const port = await freeTcpPort();
  const base = `http://127.0.0.1:${port}`;
  child = await startServer(port);
  const tokenResponse = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'crash',
      client_secret: SECRET,
    }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const hook = await api('PUT', '/v1/webhooks/crash-hook', { url: receiver.url, events: ['call.*'] });
  receiver.secrets = [hook.secret as string];
  await api('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  const agents = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
  for (const agent of agents)
    await api('PUT', `/v1/users/${agent}`, {
      name: agent,
      device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` },
    });
  await api('PUT', '/v1/campaigns/crash', {
    name: 'Crash',
    callerId: '+14155550100',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    agentIds: agents,
    retryPolicy: { network_error: { retry: true, gapSeconds: 1 }, minRedialGapSeconds: 0 },
    maxAttemptsPerContact: 10,
  });
  await api('POST', '/v1/campaigns/crash/start');
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
  for (let kill = 0; kill < KILLS; kill++) {
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    child = await startServer(port);
  }

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
