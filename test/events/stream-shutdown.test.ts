import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../support/test-server.ts';
import { SseClient } from './sse-client.ts';

test('shutting down ends open event streams instead of waiting for them', async () => {
  const server = await startTestServer();
  const client = new SseClient(`${server.url}/v1/events`, {
    authorization: `Bearer ${await server.adminToken()}`,
  });
  await client.open();
  const started = Date.now();
  await server.close();
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  await client.close();
});
