import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { EVENTS_ENV, setUpCampaign, startCampaign } from './fixture.ts';

type Delivery = {
  status: string;
  attempts: number;
  lastAttempt: { statusCode: number | null; error: string | null } | null;
};

let server: TestServer;
let redirecting: Server;
let internal: Server;
let internalHits = 0;
let redirectHits = 0;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const s = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}
const portOf = (s: Server) => (s.address() as AddressInfo).port;

before(async () => {
  internal = await listen((_req, res) => {
    internalHits++;
    res.writeHead(200).end();
  });
  // A receiver (or whoever took over its name) pointing deliveries at an internal service.
  redirecting = await listen((req, res) => {
    req.resume();
    redirectHits++;
    res.writeHead(302, { location: `http://127.0.0.1:${portOf(internal)}/admin/delete-all` }).end();
  });
  // Private targets allowed, as in local testing: even then a redirect is never followed.
  server = await startTestServer({ env: { ...EVENTS_ENV, PCONN_WEBHOOK_RETRY_SCHEDULE: '1h' } });
});
after(async () => {
  await server.close();
  for (const s of [redirecting, internal]) {
    s.closeAllConnections();
    s.close();
  }
});

test('a 302 from the receiver is recorded as a failed attempt with its status and never followed', async () => {
  const hook = await server.request('PUT', '/v1/webhooks/moved', {
    body: { url: `http://127.0.0.1:${portOf(redirecting)}/hook`, events: ['campaign.*'] },
  });
  assert.equal(hook.status, 201, hook.text);
  await setUpCampaign(server, 'redirect');
  await startCampaign(server, 'redirect');
  let attempted: Delivery | undefined;
  const deadline = Date.now() + 20_000;
  while (!attempted && Date.now() < deadline) {
    const page = await server.request<{ data: Delivery[] }>('GET', '/v1/webhooks/moved/deliveries');
    attempted = page.body.data.find((d) => d.lastAttempt !== null);
    if (!attempted) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(attempted, 'an attempt was recorded');
  assert.equal(attempted.lastAttempt?.statusCode, 302);
  assert.match(
    attempted.lastAttempt?.error ?? '',
    new RegExp(`^HTTP 302: redirect to http://127\\.0\\.0\\.1:${portOf(internal)} not followed`),
  );
  assert.equal(attempted.status, 'pending', 'retried later like any failure');
  assert.ok(redirectHits >= 1);
  assert.equal(internalHits, 0, 'the redirect target was never called');
});
