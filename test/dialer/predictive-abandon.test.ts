import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { LegRequest } from '../../src/domain/telephony.ts';
import { writeWav } from '../../src/media/wav-writer.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { assertLedgerMatches, attemptsOf, placeContactCall, startSession } from '../support/contact-first.ts';
import { startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * A predictive live answer that no agent can take (issue 17): the contact hears the abandon
 * prompt within 2 s of answering and the call ends `abandoned`, with `call.abandoned` on its
 * timeline. Sandbox time runs at its real pace here: the contact must stay on the line through
 * the 2-second window, as a person would.
 */

type Json = Record<string, unknown>;
type Call = Json & { id: string; status: string; outcome: string | null };

/** Contact legs dialled, by number: the test acts the moment its contact is rung. */
const dialled = new Map<string, () => void>();
const legs = new Map<string, (request: LegRequest) => void>();
const dialledNumbers: string[] = [];
const driver = new SandboxDriver({
  timeScale: 1,
  onDial: (request) => {
    if (request.target.kind !== 'phone') return;
    dialledNumbers.push(request.target.number);
    dialled.get(request.target.number)?.();
    legs.get(request.target.number)?.(request);
  },
});

async function sessionOf(user: string): Promise<string> {
  const res = await server.request<Json>('GET', `/v1/users/${user}/session`);
  return res.body.id as string;
}
let server: TestServer;

const ABANDON_PROMPT = Int16Array.from({ length: 4000 }, (_, i) => Math.round(5000 * Math.sin(i / 3)));

before(async () => {
  server = await startTestServer({ driver, env: { PCONN_DIALER_POLL_MS: '20' } });
  const put = await server.request('PUT', '/v1/prompts/abandon-msg', {
    rawBody: Buffer.from(writeWav(ABANDON_PROMPT, 8000, 'pcm16')),
    headers: { 'content-type': 'audio/wav' },
  });
  assert.ok(put.status < 300, put.text);
});
after(() => server.close());

test('predictive: a live answer no agent can take within 2 s hears the abandon prompt and ends abandoned', async () => {
  const sessionId = await startSession(server, 'pd-busy');
  await startRunningCampaign(server, 'cf-abandon', {
    agentIds: ['pd-busy'],
    dialingMode: 'predictive',
    jurisdiction: 'uk_ofcom',
    abandonPromptId: 'abandon-msg',
    wrapUpSeconds: 0,
    maxAttemptsPerContact: 1,
  });
  // Answers after 2 s and stays 3 s: the agent goes on a break the moment the contact is rung.
  const rung = new Promise<void>((resolve) => dialled.set('+12125550112', resolve));
  const id = await placeContactCall(server, 'cf-abandon', '+12125550112');
  await rung;
  const paused = await server.request<Json>('POST', `/v1/agent-sessions/${sessionId}/pause`, {
    body: { reason: 'break' },
  });
  assert.equal(paused.status, 200, paused.text);
  assert.equal(paused.body.state, 'paused', 'paused at once: no agent was reserved for the dial');
  const done = (await waitForCallStatus(server, id, ['completed', 'failed'], 20_000)) as Call;
  assert.equal(done.outcome, 'abandoned', JSON.stringify(done));
  const [attempt] = await attemptsOf(server, 'cf-abandon');
  assert.ok(attempt?.contact_answered_at && attempt.abandon_prompt_played_at, 'answered, then the prompt');
  const waited =
    new Date(attempt.abandon_prompt_played_at).getTime() - new Date(attempt.contact_answered_at).getTime();
  assert.ok(waited <= 2000, `the prompt started ${waited} ms after the answer (at most 2 s)`);
  assert.equal(attempt.user_id, null, 'no agent was given the call');
  assert.equal(driver.played(`${id}/1/contact`).length, 1, 'the sandbox played the abandon prompt');
  const events = await server.request<{ data: Json[] }>('GET', `/v1/calls/${id}/events`);
  const abandoned = events.body.data.find((e) => e.type === 'call.abandoned');
  assert.ok(abandoned, 'call.abandoned is on the timeline');
  assert.equal((abandoned.data as Json).reason, 'no agent free within 2 s of the live answer');
  await assertLedgerMatches(server, 'cf-abandon', await attemptsOf(server, 'cf-abandon'));
});

test('the abandon puts the ledger over its cap: campaign.pacing_restricted, and the next dial reserves its agent', async () => {
  const sessionId = await sessionOf('pd-busy');
  const restricted = await waitFor(
    async () => {
      const rows = await sql<{ data: Json }>`select data from call_events where subject_type = 'campaign'
        and subject_id = 'cf-abandon' and type = 'campaign.pacing_restricted' order by sequence`.execute(
        server.store.db,
      );
      return rows.rows.length > 0 ? rows.rows.map((r) => r.data) : undefined;
    },
    { timeout: 10_000, what: 'campaign.pacing_restricted' },
  );
  assert.equal(restricted.length, 1, `emitted once: ${JSON.stringify(restricted)}`);
  assert.equal(restricted[0]?.restricted, true);
  assert.deepEqual(restricted[0]?.ledger, { liveAnswers: 1, abandoned: 1, rate: 1, cap: 0.03 });

  const resumed = await server.request<Json>('POST', `/v1/agent-sessions/${sessionId}/resume`, { body: {} });
  assert.ok(resumed.status < 300, resumed.text);
  const rung = new Promise<LegRequest>((resolve) => legs.set('+12125550100', resolve));
  const id = await placeContactCall(server, 'cf-abandon', '+12125550100');
  const leg = await rung;
  assert.ok(
    leg.bridgeWith,
    'restricted: the agent was reserved (its leg named) before the contact was dialled',
  );
  const done = (await waitForCallStatus(server, id, ['completed', 'failed'], 20_000)) as Call;
  assert.equal(done.outcome, 'answered', JSON.stringify(done));
});

test('UK Ofcom: a number abandoned less than 72 h ago is not dialled again by a predictive campaign', async () => {
  await startRunningCampaign(server, 'cf-ofcom-2', {
    agentIds: ['pd-busy'],
    dialingMode: 'predictive',
    jurisdiction: 'uk_ofcom',
    abandonPromptId: 'abandon-msg',
    wrapUpSeconds: 0,
  });
  const id = await placeContactCall(server, 'cf-ofcom-2', '+12125550112');
  const held = await waitForCallStatus(server, id, ['scheduled'], 10_000);
  const [abandon] = await attemptsOf(server, 'cf-abandon');
  const answeredAt = new Date(abandon?.contact_answered_at as Date).getTime();
  assert.equal(
    Date.parse(held.scheduledFor as string),
    answeredAt + 72 * 3_600_000,
    `scheduled for 72 h after the abandoned answer: ${JSON.stringify(held)}`,
  );
  assert.equal(dialledNumbers.filter((n) => n === '+12125550112').length, 1, 'dialled once only');
  await server.request('POST', `/v1/calls/${id}/cancel`);
});

test('campaign.stats and the per-campaign metrics show the predictive campaigns', async () => {
  const stats = await waitFor(
    async () => {
      const rows = await sql<{ data: Json }>`select data from call_events where subject_type = 'campaign'
        and subject_id = 'cf-abandon' and type = 'campaign.stats' order by sequence desc limit 1`.execute(
        server.store.db,
      );
      return rows.rows[0]?.data;
    },
    { timeout: 10_000, what: 'campaign.stats' },
  );
  for (const key of ['linesInUse', 'dialsPerAgent', 'agents', 'answerRate', 'abandonRate'])
    assert.ok(key in stats, `campaign.stats has ${key}: ${JSON.stringify(stats)}`);
  assert.equal(stats.campaignId, 'cf-abandon');
  const metrics = await server.request('GET', '/metrics');
  assert.equal(metrics.status, 200, metrics.text.slice(0, 200));
  assert.match(metrics.text, /pconn_campaign_abandon_rate\{campaign="cf-abandon"\}/);
  assert.match(metrics.text, /pconn_campaign_agents\{campaign="cf-abandon",state="available"\}/);
});
