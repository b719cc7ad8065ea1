import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from '../support/test-server.ts';
import { expectOk, placeCall, settledCall, startSipServer } from './support/pconn-sip.ts';
import { type Sipp, sippResult, skipWithoutSipp, startSipp } from './support/sipp.ts';

/*
 * A personal-connection session on the SIP driver against real sipp peers: sipp plays the
 * agent's phone (scenarios/agent-session.xml: one INVITE, then a re-INVITE per contact and a
 * hold re-INVITE after each, BYE at the end) and a second sipp the trunk, answering two
 * contacts who each hang up (contact-hangs-up.xml, run twice).
 */

const skip = skipWithoutSipp();
type Json = Record<string, unknown>;

let server: TestServer;
const peers: Sipp[] = [];

before(async () => {
  // No wrap-up between contacts: this file is about the leg, not the agent states.
  if (skip) return;
  server = await startSipServer();
  const patched = await server.request('PATCH', '/v1/campaigns/e2e', { body: { wrapUpSeconds: 0 } });
  assert.equal(patched.status, 200, patched.text);
});
after(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
  await server?.close();
});

async function sessionIn(statuses: string[], timeoutMs = 10_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.request<Json>('GET', '/v1/users/agent/session');
    if (statuses.includes(res.body.status as string)) return res.body;
    if (Date.now() > deadline) throw new Error(`session stuck: ${res.text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// The trunk either takes an INVITE without SDP (flow IV) or wants an offer in it; then the
// contact must get the session agent's own media (contact-answers-offer.xml checks the address),
// not a black hole that would leave the agent unheard.
const trunks = [
  {
    name: 'a trunk taking INVITEs without SDP',
    scenario: 'contact-hangs-up.xml',
    offerInInitialInvite: false,
  },
  {
    name: 'a trunk that wants an offer in the INVITE',
    scenario: 'contact-answers-offer.xml',
    offerInInitialInvite: true,
  },
];

for (const variant of trunks)
  test(`one agent INVITE, a re-INVITE per contact, hold in between, BYE only on DELETE — ${variant.name}`, {
    skip,
  }, async () => {
    const agent = await startSipp({ scenario: 'agent-session.xml' });
    const trunk = await startSipp({ scenario: variant.scenario, calls: 2 });
    peers.push(agent, trunk);
    const agentDevice = { type: 'sip', uri: `sip:agent@127.0.0.1:${agent.port}` };
    const trunkConfig = {
      uri: `sip:127.0.0.1:${trunk.port}`,
      offerInInitialInvite: variant.offerInInitialInvite,
    };
    await expectOk(server, 'PUT', '/v1/trunks/default', trunkConfig);
    await expectOk(server, 'PUT', '/v1/users/agent', { name: 'Agent', device: agentDevice });
    await expectOk(server, 'PUT', '/v1/users/agent/session', {});
    const ready = await sessionIn(['ready', 'ended']);
    assert.equal(ready.status, 'ready', JSON.stringify(ready));

    for (let n = 1; n <= 2; n++) {
      const id = await placeCall(server, { agentDevice, trunk: trunkConfig });
      const call = await settledCall(server, id);
      assert.equal(call.status, 'completed', `call ${n}: ${JSON.stringify(call)}`);
      assert.equal(call.outcome, 'answered');
      assert.equal(call.attempt.sipStatus, 200);
      // Back on hold, ready for the next contact (the hold re-INVITE completed).
      const between = await sessionIn(['ready', 'ended']);
      assert.equal(between.status, 'ready', JSON.stringify(between));
      assert.equal(between.callsHandled, n);
    }

    assert.equal(await sippResult(trunk), 0, `trunk sipp failed:\n${trunk.errors()}`);
    // The agent's dialog is still up: its scenario waits for the BYE.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await Promise.race([agent.exited, Promise.resolve('running')]), 'running');
    const held = await sessionIn(['ready']);
    assert.deepEqual(held.agentLeg, { state: 'held', sipStatus: null });

    const ending = await server.request<Json>('DELETE', '/v1/users/agent/session');
    assert.equal(ending.status, 202, ending.text);
    assert.equal(await sippResult(agent), 0, `agent sipp failed:\n${agent.errors()}`);
    const ended = await sessionIn(['ended']);
    assert.equal(ended.endReason, 'ended_by_request');
    assert.equal(ended.callsHandled, 2);
  });
