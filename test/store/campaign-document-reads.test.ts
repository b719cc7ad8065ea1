import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { lockLongestIdleAgent } from '../../src/store/agent-sessions/claim-predictive-agent.ts';
import { lockNextPreviewCall } from '../../src/store/agent-sessions/preview-offers.ts';
import type { SessionRow } from '../../src/store/agent-sessions/session-rows.ts';
import { loadRetryFacts } from '../../src/store/calls/attempt-batches.ts';
import type { CallRow } from '../../src/store/calls/call-rows.ts';
import { loadCampaignCallFacts } from '../../src/store/calls/load-campaign-call-facts.ts';
import { loadPacedAgents } from '../../src/store/calls/pacing-figures.ts';
import type { Executor } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

const REQUESTS = 20;
const RETRY_POLICY = { busy: { retry: true, gapSeconds: 300 }, minRedialGapSeconds: 0 };
/** Enough agents that the campaign's document is stored compressed and out of line (TOAST). */
const AGENTS = 1000;

/** Index scans of the campaigns table's TOAST relation by this transaction: fetches of an out-of-line document. */
async function toastFetches(tx: Executor): Promise<number> {
  const result = await sql<{ idx_scan: number | string | null }>`
    select s.idx_scan from pg_stat_xact_all_tables s
    join pg_class c on c.reltoastrelid = s.relid
    where c.relname = 'campaigns' and c.relnamespace = 'public'::regnamespace`.execute(tx);
  return Number(result.rows[0]?.idx_scan ?? 0);
}

for (const [kind, open] of STORE_KINDS)
  test(`${kind}: an accept batch and a batch of retry decisions read a big campaign's document once per campaign, not once per call`, async () => {
    const { store, drop } = await open();
    try {
      const db = store.db;
      await sql`insert into tenants (id, name) values ('a', 'A')`.execute(db);
      const agentIds = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
      await sql`insert into caller_ids (tenant_id, id, data)
        values ('a', 'cid', ${JSON.stringify({ id: 'cid', number: '+14155550100', verified: true })}::jsonb)`.execute(
        db,
      );
      await sql`insert into campaigns (tenant_id, id, data)
        values ('a', 'big', ${JSON.stringify({ id: 'big', name: 'Big', status: 'running', callerId: 'cid', agentIds, retryPolicy: RETRY_POLICY, maxAttemptsPerContact: 3 })}::jsonb)`.execute(
        db,
      );
      const stored = await sql<{ external: boolean }>`
        select pg_column_size(data) < octet_length(data::text) as external from campaigns where id = 'big'`.execute(
        db,
      );
      assert.equal(stored.rows[0]?.external, true, 'the document is stored compressed');

      await db.transaction().execute(async (tx) => {
        const before = await toastFetches(tx);
        const facts = await loadCampaignCallFacts(
          tx,
          Array.from({ length: REQUESTS }, (_, i) => ({
            tenantId: 'a',
            campaignId: 'big',
            contactId: `nobody-${i}`,
            userId: null,
            callId: null,
          })),
        );
        const fetched = (await toastFetches(tx)) - before;
        // Every request still gets the campaign and its caller id.
        assert.equal(facts.length, REQUESTS);
        for (const fact of facts) {
          assert.equal(fact.campaign?.id, 'big');
          assert.equal((fact.campaignCallerId as { number?: string } | null)?.number, '+14155550100');
        }
        // Once per campaign: its callerId, its agents' count and the copy answered on its first
        // request. Read per request (the callerId twice each), it was more than 2 per request.
        assert.ok(fetched > 0, 'the document lives out of line, so reading it is counted');
        assert.ok(
          fetched <= 5,
          `${fetched} fetches of the document for ${REQUESTS} requests of one campaign`,
        );
      });

      // The dialer's retry decision for a batch of attempts that ended unanswered.
      await db.transaction().execute(async (tx) => {
        const calls = Array.from(
          { length: REQUESTS },
          (_, i) =>
            ({ tenant_id: 'a', id: `call-${i}`, campaign_id: 'big', contact_id: `ct-${i}` }) as CallRow,
        );
        const before = await toastFetches(tx);
        const facts = await loadRetryFacts(tx, [...calls, { ...calls[0], campaign_id: null } as CallRow]);
        const fetched = (await toastFetches(tx)) - before;
        for (const fact of facts.slice(0, REQUESTS)) {
          assert.deepEqual(fact.retryPolicy, RETRY_POLICY);
          assert.equal(fact.maxAttemptsPerContact, 3);
          assert.equal(fact.contactAttempts, 0);
        }
        assert.deepEqual(facts[REQUESTS], {
          retryPolicy: null,
          maxAttemptsPerContact: null,
          contactAttempts: null,
          agentMisses: 0,
        });
        // Once per campaign for its two settings; handed back per call, once per call.
        assert.ok(
          fetched > 0 && fetched <= 3,
          `${fetched} fetches of the document for ${REQUESTS} retry decisions`,
        );
      });
    } finally {
      await drop();
    }
  });

for (const [kind, open] of STORE_KINDS)
  test(`${kind}: a predictive answer's agent, the pacer's agents and a preview offer read a big campaign's document once, not once per agent or call`, async () => {
    const { store, drop } = await open();
    try {
      const db = store.db;
      const now = new Date('2026-12-06T10:00:00Z');
      await sql`insert into tenants (id, name) values ('a', 'A')`.execute(db);
      const agentIds = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
      const document = (id: string, dialingMode: string) =>
        JSON.stringify({ id, name: id, status: 'running', dialingMode, agentIds });
      await sql`insert into campaigns (tenant_id, id, data) values
        ('a', 'pred', ${document('pred', 'predictive')}::jsonb),
        ('a', 'prev', ${document('prev', 'preview')}::jsonb)`.execute(db);
      // Agents on this node, ready and available; the last one in no campaign.
      await sql`insert into agent_sessions (tenant_id, id, user_id, status, lease_owner, agent_state, state_since)
        select 'a', 'ses-' || g, case when g = ${REQUESTS} then 'outsider' else 'agent-' || g end,
          'ready', 'me', 'available', ${now}::timestamptz - make_interval(secs => g)
        from generate_series(0, ${REQUESTS}) g`.execute(db);
      // Queued calls of the preview campaign, due.
      await sql`insert into calls (tenant_id, id, kind, campaign_id, contact_id, to_number, status,
          outside_window, next_attempt_at)
        select 'a', 'call-' || g, 'campaign', 'prev', 'ct-' || g, '+12125550100', 'queued', 'reject',
          ${now}::timestamptz - interval '1 minute'
        from generate_series(1, ${REQUESTS}) g`.execute(db);

      await db.transaction().execute(async (tx) => {
        let before = await toastFetches(tx);
        const agent = await lockLongestIdleAgent(tx, { tenantId: 'a', campaignId: 'pred', owner: 'me' });
        assert.equal(agent?.id, `ses-${REQUESTS - 1}`, 'the longest idle of the campaign’s agents');
        const byAnswer = (await toastFetches(tx)) - before;

        before = await toastFetches(tx);
        const paced = await loadPacedAgents(tx, 'me');
        const byPacer = (await toastFetches(tx)) - before;
        assert.equal(paced.length, REQUESTS, 'every agent of the predictive campaign, the outsider not');
        assert.equal(
          (paced[0]?.campaign as { id?: string } | null)?.id,
          'pred',
          'the document on the first row',
        );
        assert.ok(
          paced.slice(1).every((row) => row.campaign === null),
          'and on no other',
        );

        before = await toastFetches(tx);
        const outsider = (
          await sql<SessionRow>`select * from agent_sessions where user_id = 'outsider'`.execute(tx)
        ).rows[0] as SessionRow;
        const offered = await lockNextPreviewCall(tx, outsider, now);
        const byOffer = (await toastFetches(tx)) - before;
        assert.equal(offered, undefined, 'an agent of no campaign is offered nothing');
        const insider = (
          await sql<SessionRow>`select * from agent_sessions where user_id = 'agent-3'`.execute(tx)
        ).rows[0] as SessionRow;
        assert.equal((await lockNextPreviewCall(tx, insider, now))?.id, 'call-1');

        // Per agent, per session row or per queued call they were read 20 times or more each.
        assert.ok(
          byAnswer <= 2,
          `${byAnswer} fetches of the document for one answer among ${REQUESTS} agents`,
        );
        assert.ok(byPacer <= 3, `${byPacer} fetches of the document for the pacer's ${REQUESTS} agents`);
        assert.ok(byOffer <= 2, `${byOffer} fetches of the document for an offer among ${REQUESTS} calls`);
      });
    } finally {
      await drop();
    }
  });
