import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { SseClient } from '../events/sse-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

// Issue 14: one client could open GET /v1/events streams without limit (each holds a socket,
// a subscription and up to 4 MiB of buffer). A per-client cap answers 429 beyond it.

let server: TestServer;
const clients: SseClient[] = [];
before(async () => {
  server = await startTestServer({ env: { PCONN_EVENTS_MAX_STREAMS_PER_CLIENT: '2' } });
});
after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server.close();
});

async function openStream(token: string): Promise<{ client: SseClient; response: Response }> {
  const client = new SseClient(`${server.url}/v1/events`, { authorization: `Bearer ${token}` });
  clients.push(client);
  const response = await client.open();
  return { client, response };
}

test('a client beyond its stream cap gets 429 rate_limited with Retry-After; closing a stream frees its slot', async () => {
  const token = await server.adminToken();
  const first = await openStream(token);
  const second = await openStream(token);
  assert.equal(first.response.status, 200);
  assert.equal(second.response.status, 200);

  const refused = await openStream(token);
  assert.equal(refused.response.status, 429);
  assert.match(refused.response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.ok(Number(refused.response.headers.get('retry-after')) >= 1);
  const problem = (await refused.response.json()) as Record<string, unknown>;
  assert.equal(problem.code, 'rate_limited');
  assert.equal(problem.maxStreams, 2);
  assert.equal(problem.openStreams, 2);
  assert.equal(problem.requestId, refused.response.headers.get('x-request-id'));

  // Another client of the same tenant has its own slots.
  const other = await openStream(await server.tokenWithScopes(['calls:read']));
  assert.equal(other.response.status, 200);

  // Closing a stream frees its slot once the server sees the disconnect.
  await first.client.close();
  const reopened = await waitFor(
    async () => {
      const attempt = await openStream(token);
      if (attempt.response.status === 200) return attempt;
      await attempt.response.body?.cancel();
      return undefined;
    },
    { what: 'a slot freed by the closed stream', interval: 50 },
  );
  assert.equal(reopened.response.status, 200);
  const again = await openStream(token);
  assert.equal(again.response.status, 429, 'the freed slot was taken again');
  await again.response.body?.cancel();
});

test('the cap defaults to 10 streams per client', () => {
  assert.equal(loadConfig({}).events.sseMaxStreamsPerClient, 10);
});
