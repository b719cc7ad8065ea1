import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { magicNumberInWindowNow, waitForCallStatus } from '../support/calls.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
let server: TestServer;

const AGENTS = 25;
const CALLS = 150;

before(async () => {
  // PostgreSQL: the dialer's pre-dial read and its attempt write are separate round trips on
  // a pool, so a cancel on another connection can commit between them (PGlite runs one
  // statement at a time on this thread, which hides the race).
  server = await startTestServer({
    storeKind: 'postgres',
    env: {
      PCONN_DIALER: 'off',
      PCONN_SANDBOX_TIME_SCALE: '0.01',
      PCONN_DIALER_POLL_MS: '5',
      PCONN_DIALER_AGENT_WAIT_MS: '50',
    },
  });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  for (let i = 0; i < AGENTS; i++) {
    const res = await server.request('PUT', `/v1/users/race-${i}`, {
      body: { name: `Agent ${i}`, device: { type: 'sip', uri: `sip:race${i}@127.0.0.1` } },
    });
    assert.ok(res.status < 300, res.text);
  }
});

after(async () => {
  await server.close();
  await stopTestPostgres();
});

test('a cancel answered `canceled` always wins: the dialer never dials that call, even mid-claim', async () => {
  // 555-0106 answers and never hangs up: each agent's call stays live until it is cancelled,
  // which frees the agent, whose next waiting call the dialer then claims while its own cancel
  // is on the way.
  const to = magicNumberInWindowNow('0106');
  const ids: string[] = [];
  for (let i = 0; i < CALLS; i++) {
    const created = await server.request<Json>('POST', '/v1/calls', {
      body: { userId: `race-${i % AGENTS}`, to, outsideWindow: 'schedule' },
    });
    assert.equal(created.status, 202, created.text);
    ids.push(created.body.id as string);
  }
  const answers: { id: string; status: number; body: Json }[] = [];
  const queue = [...ids];
  const stream = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const res = await server.request<Json>('POST', `/v1/calls/${id}/cancel`);
      answers.push({ id, status: res.status, body: res.body });
    }
  };
  // The dialer starts only now, so it claims the waiting calls in a burst while the cancels
  // stream in: cancels land before, during and after the claims.
  server.pconn.dialer.start();
  await Promise.all([stream(), stream(), stream(), stream()]);
  const acceptedAtOnce = answers.filter((a) => a.status === 200 && a.body.status === 'canceled');
  const live = answers.filter((a) => a.status === 200 && a.body.status !== 'canceled').length;
  assert.ok(acceptedAtOnce.length > 0, 'some cancels must have found their call waiting');
  for (const id of ids) await waitForCallStatus(server, id, ['completed', 'failed', 'canceled'], 30_000);
  const dialled: string[] = [];
  for (const { id } of acceptedAtOnce) {
    const call = await server.request<Json>('GET', `/v1/calls/${id}`);
    const events = await server.request<{ data: Json[] }>('GET', `/v1/calls/${id}/events`);
    const types = events.body.data.map((e) => e.type);
    if (
      (call.body.attempts as unknown[]).length > 0 ||
      call.body.status !== 'canceled' ||
      types.includes('call.dialing_user')
    )
      dialled.push(`${id}: ${call.body.status}, ${types.join(' → ')}`);
  }
  assert.deepEqual(
    dialled,
    [],
    `calls dialled after their cancel was answered 'canceled':\n${dialled.join('\n')}`,
  );
  console.log(`# ${acceptedAtOnce.length} cancels found their call waiting, ${live} found it live`);
});
