import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { seedAgent } from './running-campaign.ts';
import type { TestServer } from './test-server.ts';
import { waitFor } from './wait-for.ts';

/*
 * Helpers of the contact-first dialing tests (issue 17): session agents, contacts, and the
 * invariants read from the attempt records — no agent holds two contacts, no contact is bridged
 * twice, the ledger API equals the attempts.
 */

type Json = Record<string, unknown>;
let contacts = 0;

export async function startSession(server: TestServer, user: string): Promise<string> {
  await seedAgent(server, user);
  const started = await server.request<Json>('PUT', `/v1/users/${user}/session`, { body: {} });
  assert.equal(started.status, 201, started.text);
  await waitFor(
    async () => {
      const res = await server.request<Json>('GET', `/v1/users/${user}/session`);
      return res.body.status === 'ready' && res.body.state === 'available' ? true : undefined;
    },
    { timeout: 15_000, what: `${user}'s session to be ready` },
  );
  return started.body.id as string;
}

export async function placeContactCall(
  server: TestServer,
  campaign: string,
  number: string,
): Promise<string> {
  contacts += 1;
  const res = await server.request<Json>('POST', `/v1/campaigns/${campaign}/calls`, {
    body: {
      contact: {
        externalId: `cf-${campaign}-${contacts}`,
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number }],
      },
    },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.id as string;
}

export interface AttemptRow {
  call_id: string;
  user_id: string | null;
  outcome: string | null;
  contact_answered_at: Date | null;
  agent_connected_at: Date | null;
  abandon_prompt_played_at: Date | null;
  ended_at: Date | null;
}

export async function attemptsOf(server: TestServer, campaign: string): Promise<AttemptRow[]> {
  const rows = await sql<AttemptRow>`select a.call_id, a.user_id, a.outcome, a.contact_answered_at,
      a.agent_connected_at, a.abandon_prompt_played_at, a.ended_at
    from call_attempts a join calls c on c.tenant_id = a.tenant_id and c.id = a.call_id
    where c.campaign_id = ${campaign} order by a.started_at`.execute(server.store.db);
  return rows.rows;
}

/** No agent held two contacts at once; no contact was bridged twice. */
export function assertOneToOne(attempts: AttemptRow[]): void {
  const bridged = attempts.filter((a) => a.agent_connected_at !== null);
  const perCall = new Map<string, number>();
  for (const a of bridged) perCall.set(a.call_id, (perCall.get(a.call_id) ?? 0) + 1);
  for (const [callId, n] of perCall) assert.equal(n, 1, `call ${callId} was bridged ${n} times`);
  const byAgent = new Map<string, Array<[number, number]>>();
  for (const a of bridged) {
    assert.ok(a.user_id, `a bridged attempt of ${a.call_id} names its agent`);
    const spans = byAgent.get(a.user_id) ?? [];
    spans.push([new Date(a.agent_connected_at as Date).getTime(), new Date(a.ended_at as Date).getTime()]);
    byAgent.set(a.user_id, spans);
  }
  for (const [agent, spans] of byAgent) {
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++)
      assert.ok(
        (spans[i]?.[0] ?? 0) >= (spans[i - 1]?.[1] ?? 0),
        `agent ${agent} held two contacts at once: ${JSON.stringify(spans)}`,
      );
  }
}

/** Today's ledger from the API equals the attempt records. */
export async function assertLedgerMatches(
  server: TestServer,
  campaign: string,
  attempts: AttemptRow[],
): Promise<void> {
  const ledger = await server.request<{ days: Json[] }>('GET', `/v1/campaigns/${campaign}/abandonment`);
  assert.equal(ledger.status, 200, ledger.text);
  const today = ledger.body.days.at(-1) as Json;
  const live = attempts.filter((a) => a.contact_answered_at !== null || a.outcome === 'abandoned');
  const machines = attempts.filter((a) => a.outcome === 'machine').length;
  assert.equal(today.liveAnswers, live.length - machines, `ledger ${JSON.stringify(today)}`);
  assert.equal(today.abandoned, attempts.filter((a) => a.outcome === 'abandoned').length);
}
