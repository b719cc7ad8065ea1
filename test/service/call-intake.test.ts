import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PconnError } from '../../src/domain/pconn-error.ts';
import type { RequestContext } from '../../src/domain/request-context.ts';
import { CallIntake, type IntakeRequest, type IntakeResult } from '../../src/service/calls/call-intake.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;

/** A running campaign 'intake' with contacts in-a (callable), in-b (on the DNC list) and out-c (not a member). */
async function seedIntakeCampaign(server: TestServer): Promise<void> {
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  await server.request('PUT', '/v1/campaigns/intake', {
    body: {
      name: 'Intake',
      callerId: '+14155550100',
      callingWindow: { start: '00:00', end: '00:00' },
      timezone: 'UTC',
    },
  });
  await server.request('POST', '/v1/campaigns/intake/start');
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

function request(contactId: string, extra: Partial<IntakeRequest> & { id?: string } = {}): IntakeRequest {
  const { id, ...rest } = extra;
  return {
    ctx: context(`req_${contactId}_${Math.random()}`),
    campaignId: 'intake',
    input: { contactId, ...(id ? { id } : {}) },
    renderProblem: (error: PconnError) => ({
      status: 400,
      body: { code: error.code, detail: error.detail },
      problem: true,
    }),
    ...rest,
  };
}

const codeOf = (result: IntakeResult) =>
  result.kind === 'answer'
    ? ((result.answer.body as { code?: string }).code ?? result.answer.status)
    : 'fallback';

describe('CallIntake (group commit of the accept path)', () => {
  test('requests submitted together are one batch, each answered by its own checks', async () => {
    let wakes = 0;
    const intake = new CallIntake(server.store.db, { sandbox: true, onCallsCreated: () => wakes++ });
    const results = await Promise.all([
      intake.submit(request('in-a')),
      intake.submit(request('in-b')),
      intake.submit(request('out-c')),
      intake.submit(request('missing')),
      intake.submit(request('in-a', { id: 'call_intakedup1' })),
      intake.submit(request('in-a', { id: 'call_intakedup1' })),
    ]);
    assert.deepEqual(results.map(codeOf), [
      202,
      'call_blocked',
      'contact_not_in_campaign',
      'contact_not_found',
      202,
      'conflict',
    ]);
    assert.equal(wakes, 1, 'one batch, one wake-up of the dialer');
    const rows = await server.store.db
      .selectFrom('calls')
      .select(['id', 'status', 'event_sequence', 'contact_id'])
      .where('campaign_id', '=', 'intake')
      .execute();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.status === 'queued' && r.event_sequence === 1 && r.contact_id === 'in-a'));
  });

  test('a key held by an earlier request, or a key twice in a batch, falls back to the one-request path', async () => {
    const intake = new CallIntake(server.store.db, { sandbox: true, onCallsCreated: () => {} });
    const idempotency = { key: `intake-${Date.now()}`, fingerprint: 'f1' };
    const [first, second] = await Promise.all([
      intake.submit(request('in-a', { idempotency })),
      intake.submit(request('in-a', { idempotency })),
    ]);
    assert.equal(codeOf(first as IntakeResult), 202);
    assert.equal(codeOf(second as IntakeResult), 'fallback');
    const callCount = async () =>
      (await server.store.db.selectFrom('calls').select('id').where('campaign_id', '=', 'intake').execute())
        .length;
    const before = await callCount();
    // In one batch with an unkeyed request: the held key's request is dropped (its call is not
    // inserted), the other one is accepted.
    const [later, unkeyed] = await Promise.all([
      intake.submit(request('in-a', { idempotency })),
      intake.submit(request('in-a')),
    ]);
    assert.equal(codeOf(later as IntakeResult), 'fallback');
    assert.equal(codeOf(unkeyed as IntakeResult), 202);
    assert.equal(await callCount(), before + 1, 'only the unkeyed request made a call');
    const stored = await server.store.db
      .selectFrom('idempotency_keys')
      .select(['state', 'response_status'])
      .where('key', '=', idempotency.key)
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored, { state: 'done', response_status: 202 });
  });

  test('an unexpected failure writes nothing and sends every request of the batch down the one-request path', async () => {
    const intake = new CallIntake(server.store.db, { sandbox: true, onCallsCreated: () => {} });
    const before = await server.store.db.selectFrom('calls').select('id').execute();
    const boom = request('in-a', {
      renderProblem: () => {
        throw new Error('renderer broke');
      },
    });
    const results = await Promise.all([
      intake.submit(request('in-a')),
      intake.submit({ ...boom, campaignId: 'nope' }),
    ]);
    assert.deepEqual(results.map(codeOf), ['fallback', 'fallback']);
    const afterRows = await server.store.db.selectFrom('calls').select('id').execute();
    assert.equal(afterRows.length, before.length);
  });
});

describe('CallIntake on PostgreSQL, two nodes at once', () => {
  let pgServer: TestServer;
  before(async () => {
    pgServer = await startTestServer({ storeKind: 'postgres', env: { PCONN_DIALER: 'off' } });
    await seedIntakeCampaign(pgServer);
  });
  after(async () => {
    await pgServer.close();
    await stopTestPostgres();
  });

  test('the same keys sent to two intakes at once make exactly one call each; the losers fall back', async () => {
    // Two intakes on one pool: their batches run on different connections, concurrently.
    const nodeA = new CallIntake(pgServer.store.db, { sandbox: true, onCallsCreated: () => {} });
    const nodeB = new CallIntake(pgServer.store.db, { sandbox: true, onCallsCreated: () => {} });
    const keys = Array.from({ length: 20 }, (_, i) => `two-nodes-${i}`);
    const sent = keys.flatMap((key) => {
      const idempotency = { key, fingerprint: 'f' };
      return [nodeA.submit(request('in-a', { idempotency })), nodeB.submit(request('in-a', { idempotency }))];
    });
    const results = (await Promise.all(sent)).map(codeOf);
    for (let i = 0; i < keys.length; i++) {
      const pair = [results[2 * i], results[2 * i + 1]].sort();
      assert.deepEqual(pair, [202, 'fallback'].sort(), `key ${keys[i]}: ${pair}`);
    }
    const stored = await pgServer.store.db
      .selectFrom('idempotency_keys')
      .select(['key', 'state', 'response_body'])
      .where('key', 'like', 'two-nodes-%')
      .execute();
    assert.equal(stored.length, keys.length);
    const callIds = stored.map((row) => (row.response_body as { id: string }).id);
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
