import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
const cli = (args: string[]) => runCli(args, { env: serverEnv(server, dir) });

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  dir = tempConfigDir();
  await server.request('PUT', '/v1/users/w-agent', {
    body: { name: 'A', device: { type: 'sip', uri: 'sip:a@sandbox.invalid' } },
  });
  await server.request('PUT', '/v1/caller-ids/+12125550100', { body: { verified: true } });
  await server.request('PUT', '/v1/campaigns/w', {
    body: {
      name: 'W',
      callerId: '+12125550100',
      agentIds: ['w-agent'],
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
    },
  });
  await server.request('POST', '/v1/campaigns/w/start');
});
after(() => server.close());

/** Waits until `n` event streams have been opened (each GET /v1/events is audited as it starts). */
async function streamsOpened(n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await server.request<{ data: Array<{ path: string }> }>('GET', '/v1/audit-events?limit=200');
    if (res.body.data.filter((e) => e.path === '/v1/events').length >= n) return;
    assert.ok(Date.now() < deadline, 'watch never connected');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pconn watch', () => {
  test('a line (JSON) per event when piped, and a table redrawn in place on a terminal', async () => {
    const piped = cli(['watch', '--campaign', 'w', '--max-events', '5', '--json', '--duration', '60']);
    const table = cli(['watch', '--campaign', 'w', '--max-events', '5', '--redraw', '--duration', '60']);
    await streamsOpened(2);
    const call = await server.request<{ id: string }>('POST', '/v1/campaigns/w/calls', {
      body: {
        contact: { externalId: 'w1', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
      },
    });
    assert.equal(call.status, 202, call.text);

    const lines = await piped;
    assert.equal(lines.code, 0, lines.stderr);
    const events = lines.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      events.map((e) => e.type),
      ['call.queued', 'call.dialing_user', 'call.dialing_contact', 'call.connected', 'call.completed'],
    );
    assert.ok(events.every((e) => e.data.call.id === call.body.id));

    const drawn = await table;
    assert.equal(drawn.code, 0, drawn.stderr);
    // Each redraw moves the cursor up over the previous table and clears below it.
    assert.equal(drawn.stdout.split('\x1b[0J').length - 1, 5);
    assert.match(drawn.stdout, new RegExp(`${String.fromCharCode(27)}\\[\\d+A`));
    const finalTable = drawn.stdout.split('\x1b[0J').at(-1) ?? '';
    assert.match(finalTable, /^CALL +STATUS +TO +CAMPAIGN +UPDATED$/m);
    assert.match(finalTable, new RegExp(`^${call.body.id} +completed/answered +\\+12125550100 +w `, 'm'));
    assert.match(finalTable, /^1 call\(s\)$/m);
  });
});
