import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appendCallEvent } from '../../src/store/calls/calls.ts';
import { SteppedClock } from '../support/stepped-clock.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { EVENTS_ENV, placeCall, setUpCampaign, waitForEnd } from './fixture.ts';
import { SseClient } from './sse-client.ts';

let server: TestServer;
const clock = new SteppedClock();

before(async () => {
  server = await startTestServer({ env: EVENTS_ENV, clock });
});
after(() => server.close());

describe('outbox completeness', () => {
  test('every campaign status change — by the API and by the schedule — is an event with the status', async () => {
    await setUpCampaign(server, 'timed');
    const stream = new SseClient(`${server.url}/v1/events?campaignId=timed`, {
      authorization: `Bearer ${await server.adminToken()}`,
    });
    await stream.open();
    // The start lies a minute ahead on the server's clock, so start and resume find it ahead
    // however slow the requests are (1.5 s ahead was a race on a loaded machine: start found it
    // past and went straight to running); then the clock is moved past it for the dialer.
    const startAt = new Date(clock.now().getTime() + 60_000).toISOString();
    await server.request('PATCH', '/v1/campaigns/timed', { body: { schedule: { startAt, endAt: null } } });
    for (const action of ['start', 'pause', 'resume']) {
      const res = await server.request('POST', `/v1/campaigns/timed/${action}`);
      assert.equal(res.status, 200, res.text);
    }
    clock.advance(61_000);
    // resume of a campaign whose start lies ahead goes back to scheduled; the dialer then starts it.
    const deadline = Date.now() + 10_000;
    while (!stream.events().some((e) => e.data.to === 'running')) {
      if (Date.now() > deadline) throw new Error(JSON.stringify(stream.events().map((e) => e.data.to)));
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.request('POST', '/v1/campaigns/timed/stop');
    while (!stream.events().some((e) => e.data.to === 'stopped')) await new Promise((r) => setTimeout(r, 50));
    await stream.close();
    const events = stream.events();
    assert.deepEqual(
      events.map((e) => [
        e.type,
        e.sequence,
        e.data.from,
        e.data.to,
        (e.data.campaign as { status: string }).status,
      ]),
      [
        ['campaign.status_changed', 1, 'draft', 'scheduled', 'scheduled'],
        ['campaign.status_changed', 2, 'scheduled', 'paused', 'paused'],
        ['campaign.status_changed', 3, 'paused', 'scheduled', 'scheduled'],
        ['campaign.status_changed', 4, 'scheduled', 'running', 'running'],
        ['campaign.status_changed', 5, 'running', 'stopped', 'stopped'],
      ],
    );
    const byDialer = events[3];
    assert.ok(byDialer);
    assert.equal(byDialer.data.reason, 'schedule.startAt reached');
    assert.equal((byDialer.data.campaign as { id: string }).id, 'timed');
  });

  test('the store refuses a second terminal event for a call', async () => {
    await setUpCampaign(server, 'once');
    await server.request('POST', '/v1/campaigns/once/start');
    const call = await placeCall(server, 'once', '+12125550101');
    const ended = await waitForEnd(server, call.id as string);
    assert.equal(ended.status, 'failed');
    await assert.rejects(
      server.store.db.transaction().execute((tx) =>
        appendCallEvent(tx, {
          tenantId: 'default',
          callId: call.id as string,
          campaignId: 'once',
          type: 'call.completed',
          data: {},
        }),
      ),
      /call_events_one_terminal|duplicate key/,
    );
  });
});
