import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PconnApiError, PconnClient, type PreviewOffer } from '../../src/sdk/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * client.sessions' agent-state methods against a live server on the sandbox telephony: a
 * preview call is offered, accepted, talked and dispositioned; another is skipped; pause and
 * resume by session id.
 */

let server: TestServer;
let client: PconnClient;

before(async () => {
  server = await startTestServer({
    env: { PCONN_SANDBOX_TIME_SCALE: '0.01', PCONN_DIALER_POLL_MS: '20' },
  });
  client = new PconnClient({
    baseUrl: server.url,
    clientId: server.adminId,
    clientSecret: server.adminSecret,
  });
  await client.callerIds.put('+12125550100', { verified: true });
  await client.users.put('sdk-pv', {
    name: 'sdk-pv',
    device: { type: 'sip', uri: 'sip:sdk-pv@sandbox.invalid' },
  });
  await client.campaigns.put('sdk-look', {
    name: 'Preview',
    callerId: '+12125550100',
    agentIds: ['sdk-pv'],
    dialingMode: 'preview',
    wrapUpSeconds: 600,
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
  });
  await client.campaigns.start('sdk-look');
});
after(() => server.close());

async function nextOffer(sessionId: string, callId: string): Promise<PreviewOffer> {
  return waitFor(
    async () => {
      try {
        const offer = await client.sessions.offer(sessionId);
        return offer.callId === callId ? offer : undefined;
      } catch (error) {
        if (error instanceof PconnApiError && error.problem.code === 'no_offer') return undefined;
        throw error;
      }
    },
    { timeout: 15_000, interval: 20, what: `an offer of ${callId}` },
  );
}

test('offer → accept → talk → disposition; skip; pause and resume', async () => {
  const { session } = await client.sessions.start('sdk-pv');
  await client.sessions.waitUntil('sdk-pv', 'ready', { intervalMs: 20 });
  const none = await client.sessions.offer(session.id).catch((error: unknown) => error);
  assert.ok(none instanceof PconnApiError, 'no offer yet is an error');
  assert.equal(none.status, 404);
  assert.equal(none.problem.code, 'no_offer');

  const first = await client.calls.createForCampaign('sdk-look', {
    contact: { externalId: 'sdk-pv-1', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
  });
  assert.equal((await nextOffer(session.id, first.id)).status, 'offered');
  const accepted = await client.sessions.acceptOffer(session.id);
  assert.equal(accepted.status, 'accepted');
  const done = await client.calls.waitUntilTerminal(first.id, { intervalMs: 20, timeoutMs: 15_000 });
  assert.equal(done.outcome, 'answered');
  await waitFor(async () => (await client.sessions.get('sdk-pv')).state === 'wrap_up', {
    timeout: 15_000,
    interval: 20,
    what: 'wrap-up',
  });
  const disposed = await client.sessions.recordDisposition(first.id, { code: 'sale', notes: 'yes' });
  assert.equal(disposed.disposition?.code, 'sale');

  const second = await client.calls.createForCampaign('sdk-look', {
    contact: { externalId: 'sdk-pv-2', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
  });
  await nextOffer(session.id, second.id);
  const skipped = await client.sessions.skipOffer(session.id, 'not today');
  assert.equal(skipped.state, 'available');

  const paused = await client.sessions.pause(session.id, 'break');
  assert.equal(paused.state, 'paused');
  assert.equal((await client.sessions.resume(session.id)).state, 'available');
});
