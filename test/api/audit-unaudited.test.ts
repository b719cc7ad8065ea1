import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PconnClient } from '../../src/sdk/index.ts';
import { seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
/** Requests sent with this User-Agent cannot be audited: a check constraint refuses their entry. */
const BREAKER = 'audit-breaker';
let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  // A real store failure, only for the marked requests: the audit insert violates a constraint.
  await sql`alter table audit_events add constraint audit_breaker check (user_agent is distinct from ${sql.lit(BREAKER)})`.execute(
    server.store.db,
  );
  await seedAgent(server, 'quiet-agent');
  await startRunningCampaign(server, 'quiet', { agentIds: ['quiet-agent'] });
  await server.request('PUT', '/v1/contacts/ct-q', {
    body: {
      externalId: 'q',
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
    },
  });
  await server.request('POST', '/v1/campaigns/quiet/contacts', { body: { contactIds: ['ct-q'] } });
});
after(() => server.close());

function assertWithheld(res: { status: number; headers: Headers; body: unknown }): Json {
  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After is set');
  assert.equal(res.headers.get('location'), null, 'nothing of the withheld answer leaks');
  const problem = res.body as Json;
  assert.equal(problem.code, 'unavailable');
  assert.equal(problem.retryable, true);
  assert.equal(problem.requestId, res.headers.get('x-request-id'));
  return problem;
}

async function auditedRequestIds(): Promise<string[]> {
  const rows = await server.store.db.selectFrom('audit_events').select('request_id').execute();
  return rows.map((r) => r.request_id);
}

describe('no unaudited answer', () => {
  test('a request whose audit entry cannot be committed is answered 503 unavailable with Retry-After, never its real answer', async () => {
    const res = await server.request('PUT', '/v1/campaigns/c-withheld', {
      body: { name: 'Withheld' },
      headers: { 'user-agent': BREAKER },
    });
    const problem = assertWithheld(res);
    assert.match(problem.detail as string, /Idempotency-Key/, 'a write is told how to retry safely');
    assert.ok(!JSON.stringify(problem).includes('Withheld'), 'the withheld answer is not in the problem');
    // PUT is idempotent: the retry (audited this time) answers as if the first had been the one.
    const retry = await server.request('PUT', '/v1/campaigns/c-withheld', { body: { name: 'Withheld' } });
    assert.ok([200, 201].includes(retry.status), retry.text);
    assert.ok((await auditedRequestIds()).includes(retry.headers.get('x-request-id') ?? ''));
  });

  test('a read whose audit entry fails is 503 too (no data leaves unaudited)', async () => {
    const res = await server.request('GET', '/v1/campaigns/quiet', { headers: { 'user-agent': BREAKER } });
    const problem = assertWithheld(res);
    assert.ok(!JSON.stringify(problem).includes('Quiet'));
  });

  test('a call whose audit entry failed: the 503 retried with the same Idempotency-Key replays the 202, no second call', async () => {
    const request = {
      body: { contactId: 'ct-q', reason: 'unaudited-retry' },
      headers: { 'idempotency-key': 'unaudited-call-1' },
    };
    const first = await server.request('POST', '/v1/campaigns/quiet/calls', {
      ...request,
      headers: { ...request.headers, 'user-agent': BREAKER },
    });
    assertWithheld(first);
    const retry = await server.request<Json>('POST', '/v1/campaigns/quiet/calls', request);
    assert.equal(retry.status, 202, retry.text);
    assert.equal(
      retry.headers.get('idempotent-replayed'),
      'true',
      'the retry replays, it does not act again',
    );
    const calls = await server.request<{ data: Json[] }>('GET', '/v1/calls?campaignId=quiet&limit=200');
    const created = calls.body.data.filter((c) => c.reason === 'unaudited-retry');
    assert.deepEqual(
      created.map((c) => c.id),
      [retry.body.id],
      'exactly one call exists for the key',
    );
    assert.ok((await auditedRequestIds()).includes(retry.headers.get('x-request-id') ?? ''));
  });

  test('group commit: in a batch with one unauditable request, only that one fails; the others are answered after their commit', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => server.request('GET', '/v1/campaigns/quiet')),
      server.request('GET', '/v1/campaigns/quiet', { headers: { 'user-agent': BREAKER } }),
    ]);
    const withheld = results.pop();
    assert.ok(withheld);
    assertWithheld(withheld);
    const audited = new Set(await auditedRequestIds());
    for (const res of results) {
      assert.equal(res.status, 200, res.text);
      assert.ok(audited.has(res.headers.get('x-request-id') ?? ''), 'every answered request is audited');
    }
    assert.ok(!audited.has(withheld.headers.get('x-request-id') ?? ''));
  });

  test('through the SDK the withheld answer is invisible: its automatic Idempotency-Key retry gets the one call created', async () => {
    // The first two audit attempts for this path fail (the batch, then the entry alone: one
    // write); a sequence counts them because it is not rolled back with the failed insert.
    const path = '/v1/campaigns/quiet/calls';
    await sql`create sequence audit_sdk_breaks`.execute(server.store.db);
    await sql
      .raw(`
      create function audit_sdk_break() returns trigger language plpgsql as $$
      begin
        if new.path = '${path}' and new.client_request_id = 'sdk-retry' and nextval('audit_sdk_breaks') <= 2 then
          raise exception 'audit store failing (test)';
        end if;
        return new;
      end $$`)
      .execute(server.store.db);
    await sql`create trigger audit_sdk_break before insert on audit_events for each row execute function audit_sdk_break()`.execute(
      server.store.db,
    );
    const client = new PconnClient({
      baseUrl: server.url,
      clientId: server.adminId,
      clientSecret: server.adminSecret,
      maxRetryDelayMs: 10,
      // Marks this client's requests (X-Request-Id is kept as clientRequestId) for the trigger.
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), 'x-request-id': 'sdk-retry' },
        }),
    });
    const call = await client.calls.createForCampaign('quiet', { contactId: 'ct-q', reason: 'sdk-retry' });
    assert.equal(call.status, 'queued');
    const rows = await server.store.db
      .selectFrom('audit_events')
      .select(['status', 'path'])
      .where('client_request_id', '=', 'sdk-retry')
      .where('path', '=', path)
      .execute();
    assert.deepEqual(rows, [{ status: 202, path }], 'only the retry was answered, and it is audited');
    const calls = await server.request<{ data: Json[] }>('GET', '/v1/calls?campaignId=quiet&limit=200');
    assert.deepEqual(
      calls.body.data.filter((c) => c.reason === 'sdk-retry').map((c) => c.id),
      [call.id],
    );
  });
});
