import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { offerPreviewCall } from '../../src/service/agent-sessions/preview-offer.ts';
import { claimAcceptedOffers } from '../../src/store/agent-sessions/offer-rounds.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * Preview offers' claim in SQL, on both stores: concurrent offers never give one call to two
 * agents nor two calls to one agent; an offered call is kept out of the queue until its offer
 * expires; a call an agent skipped is not offered to them again while the skip lasts; calls of
 * campaigns that are not preview are never offered.
 */

type Json = Record<string, unknown>;
const AGENTS = ['p-1', 'p-2', 'p-3'];

after(() => stopTestPostgres());

for (const storeKind of ['pglite', 'postgres'] as const) {
  describe(`preview offers (${storeKind})`, () => {
    let server: TestServer;
    const sessions = new Map<string, string>();
    let contacts = 0;

    before(async () => {
      server = await startTestServer({ storeKind, env: { PCONN_DIALER: 'off' } });
      await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
      for (const agent of AGENTS)
        await server.request('PUT', `/v1/users/${agent}`, {
          body: { name: agent, device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` } },
        });
      for (const [id, mode] of [
        ['look-first', 'preview'],
        ['dial-now', 'progressive'],
      ] as const) {
        const res = await server.request('PUT', `/v1/campaigns/${id}`, {
          body: {
            name: id,
            callerId: '+14155550100',
            agentIds: AGENTS,
            dialingMode: mode,
            timezone: 'UTC',
            callingWindow: { start: '00:00', end: '00:00' },
          },
        });
        assert.ok(res.status < 300, res.text);
        await server.request('POST', `/v1/campaigns/${id}/start`);
      }
      for (const agent of AGENTS) {
        const res = await server.request<Json>('PUT', `/v1/users/${agent}/session`, { body: {} });
        sessions.set(agent, res.body.id as string);
        await sql`update agent_sessions set status = 'ready', leg_state = 'held'
          where id = ${res.body.id as string}`.execute(server.store.db);
      }
    });
    after(() => server?.close());

    async function call(campaign: string): Promise<string> {
      contacts += 1;
      const res = await server.request<Json>('POST', `/v1/campaigns/${campaign}/calls`, {
        body: {
          contact: {
            externalId: `pc-${contacts}`,
            timezone: 'UTC',
            phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
          },
        },
      });
      assert.equal(res.status, 202, res.text);
      return res.body.id as string;
    }

    const offer = (agent: string, now = new Date()) =>
      offerPreviewCall(server.store.db, {
        tenantId: 'default',
        sessionId: sessions.get(agent) as string,
        now,
        offerSeconds: 30,
      });

    test('only preview calls are offered; concurrent offers of one call reach one agent', async () => {
      await call('dial-now');
      assert.equal(await offer('p-1'), undefined, 'a progressive campaign’s call is never offered');

      const only = await call('look-first');
      const offers = await Promise.all(AGENTS.map((agent) => offer(agent)));
      const made = offers.filter((o) => o !== undefined);
      assert.equal(made.length, 1, `one offer for one call: ${JSON.stringify(made)}`);
      assert.equal(made[0]?.callId, only);
      const holders = await sql<{
        id: string;
        agent_state: string;
      }>`select id, agent_state from agent_sessions
        where offered_call_id = ${only}`.execute(server.store.db);
      assert.equal(holders.rows.length, 1);
      assert.equal(holders.rows[0]?.agent_state, 'reserved');
      const timeline = await server.request<{ data: Array<{ type: string; data: Json }> }>(
        'GET',
        `/v1/calls/${only}/events`,
      );
      const offered = timeline.body.data.find((e) => e.type === 'call.offered');
      assert.ok(offered, 'call.offered is on the call’s timeline');
      assert.equal((offered.data.call as Json).to, '+12125550100', 'with the contact’s details');
      const row = await sql<{
        next_attempt_at: Date;
      }>`select next_attempt_at from calls where id = ${only}`.execute(server.store.db);
      assert.equal(
        new Date(row.rows[0]?.next_attempt_at as Date).getTime(),
        made[0]?.expiresAt.getTime(),
        'the offered call is out of the queue until the offer expires',
      );
    });

    test('two calls, concurrent offers: each agent at most one call, each call at most one agent', async () => {
      await sql`update agent_sessions set agent_state = 'available', offered_call_id = null, offer_expires_at = null`.execute(
        server.store.db,
      );
      await sql`update calls set status = 'canceled' where status = 'queued'`.execute(server.store.db);
      const ids = [await call('look-first'), await call('look-first')];
      const offers = (await Promise.all(AGENTS.map((agent) => offer(agent)))).filter((o) => o !== undefined);
      assert.equal(offers.length, 2, 'two agents get an offer');
      assert.deepEqual(offers.map((o) => o.callId).sort(), [...ids].sort(), 'each call offered once');
      assert.equal(new Set(offers.map((o) => o.sessionId)).size, 2);
      assert.equal(await offer(AGENTS[0] as string), undefined, 'nothing left to offer');
    });

    test('a skipped call is not offered to the same agent while the skip lasts', async () => {
      await sql`update agent_sessions set agent_state = 'available', offered_call_id = null, offer_expires_at = null`.execute(
        server.store.db,
      );
      await sql`update calls set status = 'canceled' where status = 'queued'`.execute(server.store.db);
      const id = await call('look-first');
      const now = new Date();
      await sql`insert into call_offer_skips (tenant_id, call_id, session_id, until)
        values ('default', ${id}, ${sessions.get('p-1') as string}, ${new Date(now.getTime() + 60_000)})`.execute(
        server.store.db,
      );
      assert.equal(await offer('p-1', now), undefined, 'p-1 skipped it');
      assert.equal((await offer('p-2', now))?.callId, id, 'another agent may take it');
    });

    test('a scheduled call (a retry, a deferred call) is offered once it is due', async () => {
      await sql`update agent_sessions set agent_state = 'available', offered_call_id = null, offer_expires_at = null`.execute(
        server.store.db,
      );
      await sql`update calls set status = 'canceled' where status = 'queued'`.execute(server.store.db);
      const id = await call('look-first');
      const now = new Date();
      await sql`update calls set status = 'scheduled', next_attempt_at = ${new Date(now.getTime() + 60_000)}
        where id = ${id}`.execute(server.store.db);
      assert.equal(await offer('p-1', now), undefined, 'not before it is due');
      assert.equal((await offer('p-1', new Date(now.getTime() + 61_000)))?.callId, id, 'offered once due');
    });

    test('an accepted offer is claimed once, by the node holding the agent’s leg, whatever the concurrency', async () => {
      await sql`update agent_sessions set agent_state = 'available', offered_call_id = null, offer_expires_at = null,
        lease_owner = 'node-a'`.execute(server.store.db);
      await sql`update calls set status = 'canceled' where status = 'queued'`.execute(server.store.db);
      const id = await call('look-first');
      const made = await offer('p-3');
      assert.equal(made?.callId, id);
      await sql`update agent_sessions set offer_expires_at = null where id = ${made.sessionId}`.execute(
        server.store.db,
      );
      await sql`update calls set next_attempt_at = now() where id = ${id}`.execute(server.store.db);
      const now = new Date();
      const elsewhere = await claimAcceptedOffers(server.store.db, 'node-b', 5, 30, now);
      assert.deepEqual(elsewhere, [], 'another node never dials a session it does not hold');
      const claims = await Promise.all(
        [1, 2, 3, 4].map(() => claimAcceptedOffers(server.store.db, 'node-a', 5, 30, now)),
      );
      const claimed = claims.flat();
      assert.equal(claimed.length, 1, `one claim: ${JSON.stringify(claimed.map((c) => c.call.id))}`);
      assert.equal(claimed[0]?.call.id, id);
      assert.equal(claimed[0]?.sessionId, made.sessionId);
      assert.equal(claimed[0]?.userId, 'p-3');
      assert.deepEqual(
        await claimAcceptedOffers(server.store.db, 'node-a', 5, 30, now),
        [],
        'a leased call is not claimed again',
      );
    });
  });
}
