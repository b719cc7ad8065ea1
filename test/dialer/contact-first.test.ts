import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { LegRequest } from '../../src/domain/telephony.ts';
import { writeWav } from '../../src/media/wav-writer.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitForCallStatus } from '../support/calls.ts';
import {
  assertLedgerMatches,
  assertOneToOne,
  attemptsOf,
  placeContactCall,
  startSession,
} from '../support/contact-first.ts';
import { seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * Contact-first dialing (issue 17) on the sandbox driver with personal-connection session
 * agents: progressive contact-first bridges a person at once to the agent reserved before the
 * dial; predictive dials with no agent reserved (paced by decideDials), gives each live answer
 * the longest-idle agent — never one agent two contacts, never one contact two agents. The
 * ledger API equals the attempt records. (The abandon within 2 s: predictive-abandon.test.ts.)
 */

type Json = Record<string, unknown>;
type Call = Json & { id: string; status: string; outcome: string | null };

/** Every contact leg requested, by leg id: contact-first legs are anchored and name no agent. */
const contactLegs = new Map<string, LegRequest>();
const driver = new SandboxDriver({
  timeScale: 0.05,
  onDial: (request) => {
    if (request.legId.endsWith('/contact')) contactLegs.set(request.legId, request);
  },
});
let server: TestServer;

const ABANDON_PROMPT = Int16Array.from({ length: 4000 }, (_, i) => Math.round(5000 * Math.sin(i / 3)));

before(async () => {
  server = await startTestServer({
    driver,
    env: { PCONN_DIALER_POLL_MS: '20', PCONN_CONTACT_RING_SECONDS: '60', PCONN_DIALER_AGENT_WAIT_MS: '100' },
  });
  const put = await server.request('PUT', '/v1/prompts/abandon-msg', {
    rawBody: Buffer.from(writeWav(ABANDON_PROMPT, 8000, 'pcm16')),
    headers: { 'content-type': 'audio/wav' },
  });
  assert.ok(put.status < 300, put.text);
});
after(() => server.close());

describe('contact-first dialing (sandbox)', () => {
  test('progressive contact-first: the session agent is reserved before the dial, a person is bridged at once', async () => {
    await startSession(server, 'cf-prog-agent');
    await startRunningCampaign(server, 'cf-progressive', {
      agentIds: ['cf-prog-agent'],
      dialingMode: 'progressive',
      agentFirst: false,
      wrapUpSeconds: 0,
    });
    const id = await placeContactCall(server, 'cf-progressive', '+12125550100');
    const done = (await waitForCallStatus(server, id, ['completed', 'failed'], 20_000)) as Call;
    assert.equal(done.outcome, 'answered', JSON.stringify(done));
    const [attempt] = await attemptsOf(server, 'cf-progressive');
    assert.equal(attempt?.user_id, 'cf-prog-agent');
    assert.ok(attempt?.agent_connected_at, 'the contact was bridged to the agent');
    const events = await server.request<{ data: Json[] }>('GET', `/v1/calls/${id}/events`);
    const types = events.body.data.map((e) => e.type);
    assert.ok(!types.includes('call.dialing_user'), `no agent leg was rung for the call: ${types}`);
    assert.ok(contactLegs.get(`${id}/1/contact`)?.anchor, 'the contact leg is anchored (abandon prompt)');
    const trail = await sql<{ data: Json }>`select data from call_events
      where subject_type = 'user' and subject_id = 'cf-prog-agent' and type = 'agent.state_changed' order by sequence`.execute(
      server.store.db,
    );
    assert.deepEqual(
      trail.rows.slice(0, 2).map((r) => `${r.data.from}>${r.data.to}`),
      ['available>reserved', 'reserved>on_call'],
      'reserved before the dial, on_call at the bridge',
    );
  });

  test('predictive: live answers go to the longest-idle agents, one each; the ledger equals the attempts', async () => {
    const agents = ['pd-a', 'pd-b', 'pd-c'];
    for (const agent of agents) await startSession(server, agent);
    await startRunningCampaign(server, 'cf-predictive', {
      agentIds: agents,
      dialingMode: 'predictive',
      abandonPromptId: 'abandon-msg',
      wrapUpSeconds: 0,
      maxAttemptsPerContact: 1,
    });
    // People (answer, talk 3 s), no answers, busy lines, and people who answer after 2 s.
    const numbers = ['0100', '0102', '0101', '0112', '0100', '0101', '0100', '0112', '0102', '0100'];
    const ids: string[] = [];
    for (let round = 0; round < 2; round++)
      for (const suffix of numbers)
        ids.push(await placeContactCall(server, 'cf-predictive', `+1212555${suffix}`));
    for (const id of ids) await waitForCallStatus(server, id, ['completed', 'failed'], 60_000);
    const attempts = await attemptsOf(server, 'cf-predictive');
    assert.equal(attempts.length, ids.length, 'one attempt per contact');
    assertOneToOne(attempts);
    const answered = attempts.filter((a) => a.outcome === 'answered');
    assert.ok(answered.length >= 8, `people were connected: ${answered.length}`);
    for (const a of answered)
      assert.ok(a.user_id && agents.includes(a.user_id), `answered by an agent: ${a.user_id}`);
    for (const a of attempts.filter((x) => x.outcome === 'abandoned'))
      assert.ok(a.abandon_prompt_played_at, `abandoned ${a.call_id} heard the prompt`);
    await assertLedgerMatches(server, 'cf-predictive', attempts);
    // Never more dials in flight than lines per agent allow: every call ended, agents are free.
    for (const agent of agents) {
      const res = await server.request<Json>('GET', `/v1/users/${agent}/session`);
      assert.equal(res.body.state, 'available', `${agent} is available again`);
    }
    for (const id of ids) {
      const leg = contactLegs.get(`${id}/1/contact`);
      assert.ok(leg?.anchor, `${id}: the contact leg is anchored`);
      assert.equal(leg.bridgeWith, undefined, `${id}: no agent was held when the contact was dialled`);
    }
    for (const agent of agents) await server.request('DELETE', `/v1/users/${agent}/session`);
  });

  test('progressive contact-first never rings an agent who has no session: the call waits for one', async () => {
    await startRunningCampaign(server, 'cf-no-session', {
      agentIds: ['cf-sessionless'],
      dialingMode: 'progressive',
      agentFirst: false,
    });
    await seedAgent(server, 'cf-sessionless');
    const id = await placeContactCall(server, 'cf-no-session', '+12125550100');
    const waiting = await waitFor(
      async () => {
        const events = await server.request<{ data: Json[] }>('GET', `/v1/calls/${id}/events`);
        const waiting = events.body.data.find((e) => e.type === 'call.waiting_for_agent');
        return waiting ? (waiting.data as Json) : undefined;
      },
      { timeout: 10_000, what: 'the call to wait for a session agent' },
    );
    assert.match(String(waiting.detail), /personal-connection session/, 'the wait says why');
    const now = await server.request<Call>('GET', `/v1/calls/${id}`);
    assert.equal(now.body.status, 'queued', 'not dialled: its only agent has no session');
    assert.equal(contactLegs.has(`${id}/1/contact`), false);
    await server.request('POST', `/v1/calls/${id}/cancel`);
  });
});
