import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { expectOk, settledCall, startSipServer } from './support/pconn-sip.ts';
import { type Sipp, sippResult, skipWithoutSipp, startSipp } from './support/sipp.ts';

/*
 * Preview mode over SIP (issue 17): sipp plays the agent's phone in a personal-connection
 * session (scenarios/agent-session.xml: one INVITE, a re-INVITE per contact and a hold after
 * each, BYE at the end) and a second sipp the trunk, answering two contacts who hang up. Three
 * preview calls are offered in turn: the first accepted (the contact is rung through the
 * agent's leg and bridged), the second skipped (never dialled), the third accepted.
 */

const skip = skipWithoutSipp();
type Json = Record<string, unknown>;

let server: TestServer;
let sessionId = '';
let contacts = 0;
const peers: Sipp[] = [];

before(async () => {
  if (skip) return;
  server = await startSipServer();
});
after(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
  await server?.close();
});

async function previewCall(): Promise<string> {
  contacts += 1;
  const call = await expectOk(server, 'POST', '/v1/campaigns/e2e-preview/calls', {
    contact: {
      externalId: `e2e-pv-${contacts}-${Date.now()}`,
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: `+1212555014${contacts}` }],
    },
  });
  return call.id as string;
}

async function offered(callId: string): Promise<Json> {
  return waitFor(
    async () => {
      const res = await server.request<Json>('GET', `/v1/agent-sessions/${sessionId}/offer`);
      return res.status === 200 && res.body.callId === callId ? res.body : undefined;
    },
    { timeout: 10_000, interval: 25, what: `the offer of ${callId}` },
  );
}

async function sessionIn(status: string, state?: string): Promise<Json> {
  return waitFor(
    async () => {
      const res = await server.request<Json>('GET', '/v1/users/agent/session');
      if (res.body.status === 'ended' && status !== 'ended') throw new Error(`session ended: ${res.text}`);
      return res.body.status === status && (!state || res.body.state === state) ? res.body : undefined;
    },
    { timeout: 10_000, interval: 25, what: `session ${status} ${state ?? ''}` },
  );
}

test('preview over SIP: accept rings the contact through the agent’s leg; skip never dials', {
  skip,
}, async () => {
  const agent = await startSipp({ scenario: 'agent-session.xml' });
  const trunk = await startSipp({ scenario: 'contact-hangs-up.xml', calls: 2 });
  peers.push(agent, trunk);
  await expectOk(server, 'PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${trunk.port}` });
  await expectOk(server, 'PUT', '/v1/users/agent', {
    name: 'Agent',
    device: { type: 'sip', uri: `sip:agent@127.0.0.1:${agent.port}` },
  });
  await expectOk(server, 'PUT', '/v1/campaigns/e2e-preview', {
    name: 'Preview over SIP',
    callerId: '+14155550100',
    agentIds: ['agent'],
    dialingMode: 'preview',
    wrapUpSeconds: 0,
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
    maxAttemptsPerContact: 1,
  });
  await expectOk(server, 'POST', '/v1/campaigns/e2e-preview/start');
  sessionId = (await expectOk(server, 'PUT', '/v1/users/agent/session', {})).id as string;
  await sessionIn('ready', 'available');

  const first = await previewCall();
  assert.equal((await offered(first)).status, 'offered');
  await expectOk(server, 'POST', `/v1/agent-sessions/${sessionId}/offer/accept`);
  const talked = await settledCall(server, first);
  assert.equal(talked.status, 'completed', JSON.stringify(talked));
  assert.equal(talked.outcome, 'answered');
  assert.ok(talked.attempt.agentConnectedAt, 'the contact was bridged to the agent');
  await sessionIn('ready', 'available');

  const second = await previewCall();
  await offered(second);
  const skipped = await server.request<Json>('POST', `/v1/agent-sessions/${sessionId}/offer/skip`, {
    body: { reason: 'asked not to be called at work' },
  });
  assert.equal(skipped.status, 200, skipped.text);
  assert.equal(skipped.body.state, 'available');

  const third = await previewCall();
  await offered(third);
  await expectOk(server, 'POST', `/v1/agent-sessions/${sessionId}/offer/accept`);
  const again = await settledCall(server, third);
  assert.equal(again.status, 'completed', JSON.stringify(again));
  assert.equal(again.outcome, 'answered');

  const never = await server.request<Json>('GET', `/v1/calls/${second}`);
  assert.equal(never.body.status, 'queued', never.text);
  assert.deepEqual(never.body.attempts, [], 'the skipped call was never dialled');
  assert.equal(await sippResult(trunk), 0, `trunk sipp failed:\n${trunk.errors()}`);

  await sessionIn('ready');
  const ending = await server.request<Json>('DELETE', '/v1/users/agent/session');
  assert.equal(ending.status, 202, ending.text);
  assert.equal(await sippResult(agent), 0, `agent sipp failed:\n${agent.errors()}`);
  const ended = await sessionIn('ended');
  assert.equal(ended.callsHandled, 2);
});
