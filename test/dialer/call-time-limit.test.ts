import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { magicNumberInWindowNow, waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: { PCONN_SANDBOX_TIME_SCALE: '0.01', PCONN_DIALER_POLL_MS: '20', PCONN_MAX_CALL_SECONDS: '1' },
  });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  await server.request('PUT', '/v1/users/agent-t', {
    body: { name: 'Agent T', device: { type: 'sip', uri: 'sip:t@127.0.0.1' } },
  });
});

after(() => server.close());

test('a connected call whose far end never hangs up is ended at PCONN_MAX_CALL_SECONDS, not left connected', async () => {
  // 555-0106 answers and never hangs up: without the limit this call stays connected for ever.
  const created = await server.request<Json>('POST', '/v1/calls', {
    body: { userId: 'agent-t', to: magicNumberInWindowNow('0106'), outsideWindow: 'schedule' },
  });
  assert.equal(created.status, 202, created.text);
  const id = created.body.id as string;
  const connected = await waitForCallStatus(server, id, ['connected']);
  const connectedAt = Date.now();
  const done = await waitForCallStatus(server, id, ['completed', 'failed', 'canceled'], 10_000);
  const heldFor = Date.now() - connectedAt;
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.equal(done.outcome, 'answered');
  const [attempt] = done.attempts as Json[];
  assert.match(String(attempt?.sipReason), /time limit/);
  assert.ok(
    heldFor >= 500,
    `ended ${heldFor} ms after connected (${String(connected.updatedAt)}): too early`,
  );
  // The agent is free again: a second call gets dialled.
  const next = await server.request<Json>('POST', '/v1/calls', {
    body: { userId: 'agent-t', to: magicNumberInWindowNow('0100'), outsideWindow: 'schedule' },
  });
  await waitForCallStatus(server, next.body.id as string, ['connected', 'completed']);
});
