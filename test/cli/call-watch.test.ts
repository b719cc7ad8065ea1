import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
const cli = (args: string[]) => runCli(args, { env: serverEnv(server, dir) });

/** A contact of `campaign` with one mobile number. */
async function contact(campaign: string, id: string, number: string): Promise<void> {
  const created = await server.request<{ id: string }>('PUT', `/v1/contacts/${id}`, {
    body: { externalId: id, phoneNumbers: [{ phoneType: 'mobile', number }] },
  });
  assert.ok(created.status < 300, created.text);
  await server.request('POST', `/v1/campaigns/${campaign}/contacts`, { body: { contactIds: [id] } });
}

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  dir = tempConfigDir();
  await server.request('PUT', '/v1/users/cw-agent', {
    body: { name: 'A', device: { type: 'sip', uri: 'sip:a@sandbox.invalid' } },
  });
  await server.request('PUT', '/v1/caller-ids/+12125550100', { body: { verified: true } });
  // Busy is retried at once, three attempts per contact: the call goes back to queued twice.
  await server.request('PUT', '/v1/campaigns/retries', {
    body: {
      name: 'Retries',
      callerId: '+12125550100',
      agentIds: ['cw-agent'],
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
      maxAttemptsPerContact: 3,
      retryPolicy: { busy: { retry: true, gapSeconds: 0 }, minRedialGapSeconds: 0 },
    },
  });
  await server.request('POST', '/v1/campaigns/retries/start');
  await contact('retries', 'cw-busy', '+12125550101');
  await contact('retries', 'cw-busy-2', '+12125550101');
  // A one-hour window that opens two hours from now (UTC): every call is scheduled.
  const hour = (offset: number) => `${String((new Date().getUTCHours() + offset) % 24).padStart(2, '0')}:00`;
  await server.request('PUT', '/v1/campaigns/later', {
    body: {
      name: 'Later',
      callerId: '+12125550100',
      agentIds: ['cw-agent'],
      timezone: 'UTC',
      callingWindow: { start: hour(2), end: hour(3) },
    },
  });
  await server.request('POST', '/v1/campaigns/later/start');
  await contact('later', 'cw-later', '+12125550100');
});
after(() => server.close());

describe('pconn call --watch', () => {
  test('shows every transition, each requeue with the outcome, SIP status and next attempt', async () => {
    const watched = await cli(['call', '--campaign', 'retries', '--contact', 'cw-busy', '--watch']);
    assert.equal(watched.code, 1, `${watched.stdout}\n${watched.stderr}`);
    const lines = watched.stdout.trim().split('\n');
    const statuses = lines.map((line) => line.split(/\s+/)[2]);
    assert.deepEqual(
      statuses,
      [
        'queued',
        ...['dialing_user', 'dialing_contact', 'queued'],
        ...['dialing_user', 'dialing_contact', 'queued'],
        ...['dialing_user', 'dialing_contact', 'failed'],
      ],
      watched.stdout,
    );
    const requeues = lines.filter((line) => / queued — retry/.test(line));
    assert.equal(requeues.length, 2, watched.stdout);
    assert.match(
      requeues[0] ?? '',
      /queued — retry: attempt 2 of 3 after busy \(SIP 486\), next attempt at \d\d:\d\d:\d\dZ$/,
    );
    assert.match(requeues[1] ?? '', /queued — retry: attempt 3 of 3 after busy \(SIP 486\)/);
    assert.match(lines.at(-1) ?? '', /failed — busy \(SIP 486\): the contact has had 3 of 3 attempts$/);
    assert.match(lines[1] ?? '', /dialing_user — attempt 1: ringing agent cw-agent$/);

    // The timeline of `calls get --events` reads the same way.
    const id = lines[0]?.split(/\s+/)[1] as string;
    const got = await cli(['calls', 'get', id, '--events']);
    assert.equal(got.code, 0, got.stderr);
    assert.match(
      got.stdout,
      /#4 call\.queued +queued — retry: attempt 2 after busy \(SIP 486\), next attempt at \d\d:\d\d:\d\dZ$/m,
    );
  });

  test('a scheduled call says why it waits and when it is next tried', async () => {
    const watched = await cli([
      'call',
      '--campaign',
      'later',
      '--contact',
      'cw-later',
      '--watch',
      '--timeout',
      '1',
    ]);
    assert.equal(watched.code, 1);
    assert.match(
      watched.stdout,
      /^\d\d:\d\d:\d\d {2}call_\S+ {2}scheduled — outside the calling window, next attempt at (\d{4}-\d\d-\d\d )?\d\d:00:00Z$/m,
    );
    assert.match(watched.stderr, /is still scheduled after the timeout/);
  });

  test('pconn watch, piped, says what each transition means too', async () => {
    const before = await streamsOpened();
    const watching = cli(['watch', '--campaign', 'retries', '--max-events', '10', '--duration', '60']);
    await streamOpenedAfter(before);
    const placed = await cli(['call', '--campaign', 'retries', '--contact', 'cw-busy-2', '--json']);
    assert.equal(placed.code, 0, placed.stderr);
    const watched = await watching;
    assert.equal(watched.code, 0, watched.stderr);
    const lines = watched.stdout.trim().split('\n');
    assert.equal(lines.length, 10, watched.stdout);
    assert.match(
      lines[3] ?? '',
      /call\.queued +call_\S+ {2}\+12125550101 {2}queued — retry: attempt 2 after busy \(SIP 486\), next attempt at /,
    );
    assert.match(
      lines[9] ?? '',
      /call\.failed .* failed — busy \(SIP 486\): the contact has had 3 of 3 attempts$/,
    );
  });
});

/** How many event streams have been opened so far (each GET /v1/events is audited as it starts). */
async function streamsOpened(): Promise<number> {
  const res = await server.request<{ data: Array<{ path: string }> }>('GET', '/v1/audit-events?limit=200');
  return res.body.data.filter((e) => e.path === '/v1/events').length;
}

/** Waits until more than `before` event streams have been opened. */
async function streamOpenedAfter(before: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await streamsOpened()) <= before) {
    assert.ok(Date.now() < deadline, 'watch never connected');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
