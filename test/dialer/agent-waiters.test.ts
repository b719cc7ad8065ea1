import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { magicNumberInWindowNow, waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
let server: TestServer;

// A call that finds its agent busy waits a whole minute here: only the agent freeing up can
// get it dialled within the test's time.
const AGENT_WAIT_MS = 60_000;

before(async () => {
  server = await startTestServer({
    env: {
      PCONN_SANDBOX_TIME_SCALE: '0.01',
      PCONN_DIALER_POLL_MS: '20',
      PCONN_DIALER_AGENT_WAIT_MS: String(AGENT_WAIT_MS),
    },
  });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  await server.request('PUT', '/v1/users/agent-w', {
    body: { name: 'Agent W', device: { type: 'sip', uri: 'sip:w@127.0.0.1' } },
  });
});

after(() => server.close());

/** Resolves once the dialer has looked at the call, found no free agent and set it to wait. */
async function waitUntilWaitingForAgent(callId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const row = await server.pconn.store.db
      .selectFrom('calls')
      .select(['next_attempt_at', 'scheduled_for', 'status'])
      .where('id', '=', callId)
      .executeTakeFirst();
    if (row?.status === 'queued' && row.next_attempt_at.getTime() > Date.now() + AGENT_WAIT_MS / 2) {
      assert.equal(row.scheduled_for, null, 'a call waiting for an agent is not scheduled to a time');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`call ${callId} was never set to wait for an agent`);
}

test('a call waiting for a busy agent is dialled as soon as the agent finishes, not after its wait', async () => {
  // 555-0106 answers and never hangs up: the agent stays busy until this call is cancelled.
  const first = await server.request<Json>('POST', '/v1/calls', {
    body: { userId: 'agent-w', to: magicNumberInWindowNow('0106'), outsideWindow: 'schedule' },
  });
  assert.equal(first.status, 202, first.text);
  const firstId = first.body.id as string;
  await waitForCallStatus(server, firstId, ['connected']);

  const second = await server.request<Json>('POST', '/v1/calls', {
    body: { userId: 'agent-w', to: magicNumberInWindowNow('0100'), outsideWindow: 'schedule' },
  });
  assert.equal(second.status, 202, second.text);
  const secondId = second.body.id as string;
  await waitUntilWaitingForAgent(secondId);
  const waiting = await server.request<Json>('GET', `/v1/calls/${secondId}`);
  assert.equal(waiting.body.status, 'queued');
  assert.deepEqual(waiting.body.attempts, [], 'not dialled while its agent is busy');

  const freedAt = Date.now();
  const canceled = await server.request('POST', `/v1/calls/${firstId}/cancel`);
  assert.equal(canceled.status, 200, canceled.text);
  await waitForCallStatus(server, firstId, ['canceled']);
  const dialled = await waitForCallStatus(
    server,
    secondId,
    ['dialing_user', 'dialing_contact', 'connected', 'completed'],
    10_000,
  );
  assert.ok(
    Date.now() - freedAt < AGENT_WAIT_MS / 4,
    `dialled ${Date.now() - freedAt} ms after the agent was freed`,
  );
  assert.equal((dialled.attempts as Json[])[0]?.n, 1);
});
