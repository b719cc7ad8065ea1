import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RequestContext } from '../../src/domain/request-context.ts';
import { type AcceptRequest, CallAcceptor } from '../../src/service/calls/accept-calls.ts';
import type { AcceptOutcome } from '../../src/service/calls/accept-outcome.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;

/** A running campaign 'intake' with contacts in-a (callable), in-b (on the DNC list) and out-c (not a member). */
async function seedIntakeCampaign(server: TestServer): Promise<void> {
  await seedAgent(server, 'intake-agent');
  await startRunningCampaign(server, 'intake', { agentIds: ['intake-agent'] });
  for (const id of ['in-a', 'in-b', 'out-c']) {
    await server.request('PUT', `/v1/contacts/${id}`, {
      body: {
        externalId: id,
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    });
  }
  await server.request('POST', '/v1/campaigns/intake/contacts', { body: { contactIds: ['in-a', 'in-b'] } });
  await server.request('PUT', '/v1/dnc/+12125550100', { body: {} });
  await server.request('PUT', '/v1/contacts/in-a', {
    body: {
      externalId: 'in-a',
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: '+12125550111' }],
    },
  });
}

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  await seedIntakeCampaign(server);
});
after(() => server.close());

function context(requestId: string): RequestContext {
  return {
    principal: { tenantId: 'default', clientId: 'test-admin', scopes: new Set(['admin']), issuer: 'pconn' },
    tenant: { id: 'default', defaultRegion: 'US', phoneTypes: ['mobile', 'home', 'work'] },
    requestId,
    now: new Date(),
  };
}

function request(
  contactId: string,
  extra: { id?: string; idempotency?: AcceptRequest['idempotency']; metadata?: Record<string, unknown> } = {},
): AcceptRequest {
  const { id, idempotency, metadata } = extra;
  return {
    ctx: context(`req_${contactId}_${Math.random()}`),
    shape: {
      kind: 'campaign',
      campaignId: 'intake',
      input: { contactId, ...(id ? { id } : {}), ...(metadata ? { metadata } : {}) },
    },
    dryRun: false,
    ...(idempotency ? { idempotency } : {}),
  };
}

const codeOf = (outcome: AcceptOutcome) =>
  outcome.kind === 'refused' ? outcome.error.code : outcome.kind === 'accepted' ? 202 : 200;
const callIdOf = (outcome: AcceptOutcome) => (outcome.kind === 'accepted' ? outcome.call.id : undefined);

describe('CallAcceptor (the one accept use case, group-committed)', () => {
  test('requests submitted together are one batch, each answered by its own checks', async () => {
    const batches: number[] = [];
    const acceptor = new CallAcceptor(server.store.db, {
      sandbox: true,
      onCallsCreated: (count) => batches.push(count),
    });
    const results = await Promise.all([
      acceptor.submit(request('in-a')),
      acceptor.submit(request('in-b')),
      acceptor.submit(request('out-c')),
      acceptor.submit(request('missing')),
      acceptor.submit(request('in-a', { id: 'call_intakedup1' })),
      acceptor.submit(request('in-a', { id: 'call_intakedup1' })),
    ]);
    assert.deepEqual(results.map(codeOf), [
      202,
      'call_blocked',
      'contact_not_in_campaign',
      'contact_not_found',
      202,
      'conflict',
    ]);
    assert.deepEqual(batches, [2], 'one batch, one wake-up of the dialer, told both calls it created');
    const rows = await server.store.db
      .selectFrom('calls')
      .select(['id', 'status', 'event_sequence', 'contact_id'])
      .where('campaign_id', '=', 'intake')
      .execute();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.status === 'queued' && r.event_sequence === 1 && r.contact_id === 'in-a'));
  });

  test('a key in flight is 409; once stored, the same key replays the first call and never makes another', async () => {
    const acceptor = new CallAcceptor(server.store.db, { sandbox: true, onCallsCreated: () => {} });
    const idempotency = { key: `intake-${Date.now()}`, fingerprint: 'f1' };
    const [first, second] = await Promise.all([
      acceptor.submit(request('in-a', { idempotency })),
      acceptor.submit(request('in-a', { idempotency })),
    ]);
    assert.equal(codeOf(first as AcceptOutcome), 202);
    assert.equal(codeOf(second as AcceptOutcome), 'idempotency_in_flight');
    const callCount = async () =>
      (await server.store.db.selectFrom('calls').select('id').where('campaign_id', '=', 'intake').execute())
        .length;
    const before = await callCount();
    // In one batch with an unkeyed request: the stored key replays, the other one is accepted.
    const [later, unkeyed] = await Promise.all([
      acceptor.submit(request('in-a', { idempotency })),
      acceptor.submit(request('in-a')),
    ]);
    const reused = await acceptor.submit(
      request('in-b', { idempotency: { ...idempotency, fingerprint: 'f2' } }),
    );
    assert.deepEqual(later, { ...(first as AcceptOutcome), replayed: true });
    assert.equal(codeOf(unkeyed as AcceptOutcome), 202);
    assert.equal(codeOf(reused as AcceptOutcome), 'idempotency_key_reused');
    assert.equal(await callCount(), before + 1, 'only the unkeyed request made a call');
    const stored = await server.store.db
      .selectFrom('idempotency_keys')
      .select(['outcome'])
      .where('key', '=', idempotency.key)
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored.outcome, { kind: 'accepted', call: (first as { call: unknown }).call });
  });

  test('a refusal is stored with its key and replayed as the same domain error', async () => {
    const acceptor = new CallAcceptor(server.store.db, { sandbox: true, onCallsCreated: () => {} });
    const idempotency = { key: `refused-${Date.now()}`, fingerprint: 'f' };
    const first = await acceptor.submit(request('out-c', { idempotency }));
    const again = await acceptor.submit(request('out-c', { idempotency }));
    assert.equal(codeOf(first), 'contact_not_in_campaign');
    assert.equal(again.kind === 'refused' && again.replayed, true);
    assert.equal(codeOf(again), 'contact_not_in_campaign');
    assert.equal(again.kind === 'refused' && again.error.pointer, '/contactId');
  });

  test('an unexpected failure writes nothing of its batch; each request runs again alone, so only the culprit fails', async () => {
    const acceptor = new CallAcceptor(server.store.db, { sandbox: true, onCallsCreated: () => {} });
    const before = await server.store.db.selectFrom('calls').select('id').execute();
    // PostgreSQL's jsonb refuses U+0000: the batch's write statement fails as a whole.
    const results = await Promise.allSettled([
      acceptor.submit(request('in-a')),
      acceptor.submit(
        request('in-a', {
          metadata: { bad: 'nul\u0000' },
          idempotency: { key: 'never-stored', fingerprint: 'f' },
        }),
      ),
    ]);
    assert.equal(results[0]?.status === 'fulfilled' && codeOf(results[0].value), 202);
    assert.equal(results[1]?.status, 'rejected');
    const afterRows = await server.store.db.selectFrom('calls').select('id').execute();
    assert.equal(afterRows.length, before.length + 1, 'only the good request made a call');
    // The key's answer and the call are one statement: a call that was not written left no key.
    const keys = await server.store.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('key', '=', 'never-stored')
      .execute();
    assert.deepEqual(keys, []);
  });
});

describe('CallAcceptor on PostgreSQL, two nodes at once', () => {
  let pgServer: TestServer;
  before(async () => {
    pgServer = await startTestServer({ storeKind: 'postgres', env: { PCONN_DIALER: 'off' } });
    await seedIntakeCampaign(pgServer);
  });
  after(async () => {
    await pgServer.close();
    await stopTestPostgres();
  });

  test('the same keys sent to two nodes at once make exactly one call each; the losers replay it', async () => {
    // Two acceptors on one pool: their batches run on different connections, concurrently.
    const nodeA = new CallAcceptor(pgServer.store.db, { sandbox: true, onCallsCreated: () => {} });
    const nodeB = new CallAcceptor(pgServer.store.db, { sandbox: true, onCallsCreated: () => {} });
    const keys = Array.from({ length: 20 }, (_, i) => `two-nodes-${i}`);
    const sent = keys.flatMap((key) => {
      const idempotency = { key, fingerprint: 'f' };
      return [nodeA.submit(request('in-a', { idempotency })), nodeB.submit(request('in-a', { idempotency }))];
    });
    const results = await Promise.all(sent);
    for (let i = 0; i < keys.length; i++) {
      const pair = [results[2 * i], results[2 * i + 1]] as AcceptOutcome[];
      assert.deepEqual(pair.map(codeOf), [202, 202], `key ${keys[i]}`);
      assert.equal(
        callIdOf(pair[0] as AcceptOutcome),
        callIdOf(pair[1] as AcceptOutcome),
        `key ${keys[i]}: one call`,
      );
      assert.equal(
        pair.filter((o) => o.kind === 'accepted' && o.replayed).length,
        1,
        `key ${keys[i]}: one replay`,
      );
    }
    const stored = await pgServer.store.db
      .selectFrom('idempotency_keys')
      .select(['key', 'outcome'])
      .where('key', 'like', 'two-nodes-%')
      .execute();
    assert.equal(stored.length, keys.length);
    const callIds = stored.map((row) => (row.outcome as { call: { id: string } }).call.id);
    const calls = await pgServer.store.db
      .selectFrom('calls')
      .select(['id', 'event_sequence'])
      .where('campaign_id', '=', 'intake')
      .execute();
    assert.equal(calls.length, keys.length, 'one call per key, none for the losers');
    assert.deepEqual(calls.map((c) => c.id).sort(), callIds.sort(), 'each key answers with its call');
    const events = await pgServer.store.db
      .selectFrom('call_events')
      .select('call_id')
      .where('call_id', 'in', callIds)
      .where('sequence', '=', 1)
      .execute();
    assert.equal(events.length, keys.length, 'every call has its first timeline entry');
  });
});
