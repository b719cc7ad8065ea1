import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LegHandle } from '../../src/domain/telephony.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { magicNumberInWindowNow, waitForCallStatus } from '../support/calls.ts';
import { requestCampaignCall, seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;

/**
 * Sandbox telephony whose far ends never confirm a hangup, like a SIP peer that stops answering
 * BYE (its client transaction would wait for Timer F, 32 s): the leg ends at once, the promise
 * of the hangup never settles.
 */
class UnconfirmedHangups extends SandboxDriver {
  override hangup(handle: LegHandle): Promise<void> {
    void super.hangup(handle);
    return new Promise(() => {});
  }
}

let server: TestServer;
before(async () => {
  server = await startTestServer({ driver: new UnconfirmedHangups() });
  await seedAgent(server, 'agent-a');
  await startRunningCampaign(server, 'unconfirmed', { agentIds: ['agent-a'] });
});
after(() => server.close());

const call = (externalId: string, number: string) =>
  requestCampaignCall(server, 'unconfirmed', externalId, number);

test('a call we end is recorded and frees its agent without waiting for the peers to confirm', async () => {
  // Answers and stays on the line until we hang up.
  const first = await call('first', magicNumberInWindowNow('0106'));
  await waitForCallStatus(server, first, ['connected']);
  const canceled = await server.request<Json>('POST', `/v1/calls/${first}/cancel`);
  assert.equal(canceled.status, 200, canceled.text);
  await waitForCallStatus(server, first, ['canceled']);
  // The only agent is free again: the next call reaches it.
  const second = await call('second', magicNumberInWindowNow('0106'));
  await waitForCallStatus(server, second, ['connected']);
  await server.request('POST', `/v1/calls/${second}/cancel`);
  await waitForCallStatus(server, second, ['canceled']);
});
