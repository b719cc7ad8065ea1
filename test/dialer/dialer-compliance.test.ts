import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LegRequest } from '../../src/domain/telephony.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { requestCampaignCall, seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
const dials: LegRequest[] = [];
let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: { PCONN_DIALER: 'off', PCONN_DIALER_POLL_MS: '20' },
    driver: new SandboxDriver({ timeScale: 0.01, onDial: (leg) => dials.push(leg) }),
  });
  await seedAgent(server, 'agent');
  await startRunningCampaign(server, 'c', { agentIds: ['agent'] });
});
after(() => server.close());

const call = (externalId: string, number: string) => requestCampaignCall(server, 'c', externalId, number);

function settled(id: string, statuses: string[]): Promise<Json> {
  return waitForCallStatus(server, id, statuses);
}

test('rules that change after a call was accepted are enforced at dial time', async () => {
  const dnc = await call('later-dnc', '+12125550131');
  const revoked = await call('later-revoked', '+12125550132');
  const fine = await call('fine', '+12125550100');
  await server.request('PUT', '/v1/dnc/+12125550131', { body: {} });
  const contact = await server.request<{ data: Json[] }>('GET', '/v1/contacts?externalId=later-revoked');
  await server.request('PATCH', `/v1/contacts/${contact.body.data[0]?.id}`, {
    body: { consent: { status: 'revoked', source: 'called to opt out' } },
  });

  server.pconn.dialer.start();
  const blockedDnc = await settled(dnc, ['blocked', 'completed', 'failed']);
  const blockedConsent = await settled(revoked, ['blocked', 'completed', 'failed']);
  const completed = await settled(fine, ['completed', 'failed']);
  assert.equal(blockedDnc.status, 'blocked');
  assert.equal(blockedConsent.status, 'blocked');
  assert.equal(completed.status, 'completed');
  const dialled = new Set(dials.map((d) => d.legId.split('/')[0]));
  assert.ok(!dialled.has(dnc) && !dialled.has(revoked), 'no leg of a blocked call was dialled');
  assert.ok(dialled.has(fine));
  const events = await server.request<{ data: Array<{ type: string; data: Json }> }>(
    'GET',
    `/v1/calls/${dnc}/events`,
  );
  const blockedEvent = events.body.data.find((e) => e.type === 'call.blocked');
  assert.ok(blockedEvent);
  assert.equal((blockedEvent.data.decision as Json).outcome, 'refused');
  assert.equal(blockedEvent.data.campaignStatus, 'running');
});

test('a paused campaign dials nothing, even calls that come due while it is paused', async () => {
  // The dialer claims nothing until the campaign is paused: on a loaded machine the two requests
  // and the pause took longer than the 800 ms ahead the calls are scheduled, and they were dialled
  // before the pause (a race of the test's, not the dialer's). Whether they come due before or
  // after the pause, they are due while it is paused once the dialer runs again.
  await server.pconn.dialer.stop();
  const notBefore = new Date(Date.now() + 800).toISOString();
  const ids: string[] = [];
  for (const externalId of ['p1', 'p2']) {
    const res = await server.request<Json>('POST', '/v1/campaigns/c/calls', {
      body: {
        contact: {
          externalId,
          timezone: 'UTC',
          phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
        },
        notBefore,
      },
    });
    assert.equal(res.body.status, 'scheduled', res.text);
    ids.push(res.body.id as string);
  }
  assert.equal((await server.request<Json>('POST', '/v1/campaigns/c/pause')).body.status, 'paused');
  // Instead of sleeping past notBefore: a call of another, running campaign that comes due just
  // after the paused ones. Claims take due calls oldest first, so once it has been dialled the
  // dialer has claimed at an instant when the paused calls were due too, and passed them over.
  await startRunningCampaign(server, 'sentinel', { agentIds: ['agent'] });
  const sentinel = await server.request<Json>('POST', '/v1/campaigns/sentinel/calls', {
    body: {
      contact: {
        externalId: 'sentinel',
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
      notBefore: new Date(Date.parse(notBefore) + 100).toISOString(),
    },
  });
  // Already due when the requests were slow (queued), else scheduled: either way it comes due
  // after the paused calls, which is all the claim order needs.
  assert.ok(['scheduled', 'queued'].includes(sentinel.body.status as string), sentinel.text);
  server.pconn.dialer.start();
  assert.equal((await settled(sentinel.body.id as string, ['completed', 'failed'])).status, 'completed');
  const dialledWhilePaused = dials.filter((d) => ids.includes(d.legId.split('/')[0] ?? ''));
  assert.deepEqual(dialledWhilePaused, []);
  await server.request('POST', '/v1/campaigns/c/resume');
  for (const id of ids) assert.equal((await settled(id, ['completed', 'failed'])).status, 'completed');
});
