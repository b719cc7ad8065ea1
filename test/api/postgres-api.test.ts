import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
let server: TestServer;
before(async () => {
  server = await startTestServer({
    storeKind: 'postgres',
    env: { PCONN_SANDBOX_TIME_SCALE: '0.01', PCONN_DIALER_POLL_MS: '20' },
  });
});
after(async () => {
  await server.close();
  await stopTestPostgres();
});

test('the API, audit trail and dialer work on real PostgreSQL', async () => {
  await seedAgent(server, 'agent');
  await startRunningCampaign(server, 'pg', { agentIds: ['agent'] });
  const created = await server.request<Json>('POST', '/v1/campaigns/pg/calls', {
    body: {
      contact: {
        externalId: 'pg-contact',
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    },
    headers: { 'idempotency-key': 'pg-key' },
  });
  assert.equal(created.status, 202, created.text);
  const deadline = Date.now() + 10_000;
  let status = '';
  while (Date.now() < deadline && status !== 'completed') {
    status = (await server.request<Json>('GET', `/v1/calls/${created.body.id}`)).body.status as string;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(status, 'completed');
  const audit = await server.request<{ data: Json[] }>(
    'GET',
    `/v1/audit-events?requestId=${created.headers.get('x-request-id')}`,
  );
  assert.equal(audit.body.data[0]?.status, 202);
  const bad = await server.request<Json>('POST', '/v1/campaigns', { body: { nmae: 'x' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'invalid_request');
});
