import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { loadCampaignCallFacts } from '../../src/store/calls/load-campaign-call-facts.ts';
import type { Executor } from '../../src/store/database.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

const REQUESTS = 20;
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
  test(`${kind}: an accept batch reads a big campaign's document once per campaign, not once per request`, async () => {
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
        values ('a', 'big', ${JSON.stringify({ id: 'big', name: 'Big', status: 'running', callerId: 'cid', agentIds })}::jsonb)`.execute(
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
    } finally {
      await drop();
    }
  });
