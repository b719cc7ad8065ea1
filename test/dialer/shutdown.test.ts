import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { magicNumberInWindowNow, waitForCallStatus } from '../support/calls.ts';
import { requestCampaignCall, seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;

/** Every line the node logs, parsed. */
const logged: Json[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line) logged.push(JSON.parse(line) as Json);
    done();
  },
});

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { PCONN_SHUTDOWN_GRACE_MS: '200' },
    logger: pino({ level: 'info' }, logSink),
  });
  await seedAgent(server, 'agent-a');
  await seedAgent(server, 'agent-b');
  await startRunningCampaign(server, 'stopping', { agentIds: ['agent-a', 'agent-b'] });
});
after(() => server.store.close());

const call = (number: string) => requestCampaignCall(server, 'stopping', number, number);

test('a stopping node hangs up the calls still live after its grace and records their ends', async () => {
  // One contact answers and stays on the line, the other rings until someone gives up.
  const talking = await call(magicNumberInWindowNow('0106'));
  const ringing = await call(magicNumberInWindowNow('0102'));
  await waitForCallStatus(server, talking, ['connected']);
  await waitForCallStatus(server, ringing, ['dialing_contact']);

  await server.pconn.close();

  const attempts = await server.store.db
    .selectFrom('call_attempts')
    .select(['call_id', 'outcome', 'sip_reason', 'ended_at'])
    .where('call_id', 'in', [talking, ringing])
    .execute();
  const byCall = new Map(attempts.map((attempt) => [attempt.call_id, attempt]));
  // The conversation happened: it ends answered. The ringing contact was never reached: a
  // network_error the campaign's retry policy may redial, as recovery would record it.
  assert.equal(byCall.get(talking)?.outcome, 'answered');
  assert.equal(byCall.get(ringing)?.outcome, 'network_error');
  for (const attempt of attempts) {
    assert.ok(attempt.ended_at, `attempt of ${attempt.call_id} has no end`);
    assert.match(attempt.sip_reason ?? '', /the node stopped \(its 200 ms shutdown grace/);
  }
  const calls = await server.store.db
    .selectFrom('calls')
    .select(['id', 'status'])
    .where('id', 'in', [talking, ringing])
    .execute();
  for (const row of calls)
    assert.ok(
      !['dialing_agent', 'dialing_contact', 'connected'].includes(row.status),
      `${row.id} ${row.status}`,
    );

  // One line tells what happened; no error for any call.
  const summary = logged.filter((line) => line.hungUp !== undefined);
  assert.deepEqual(
    summary.map((line) => [line.hungUp, line.unrecorded]),
    [[2, 0]],
  );
  assert.deepEqual(
    logged.filter((line) => (line.level as number) >= 50),
    [],
  );
});
