import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
const cli = (args: string[]) => runCli(args, { env: serverEnv(server, dir) });
const ids: Record<string, string> = {};

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
  dir = tempConfigDir();
  await server.request('PUT', '/v1/caller-ids/+12125550100', { body: { verified: true } });
  await server.request('PUT', '/v1/users/crm-agent', {
    body: { name: 'Agent', device: { type: 'sip', uri: 'sip:crm-agent@127.0.0.1' } },
  });
  await server.request('PUT', '/v1/campaigns/crm', {
    body: {
      agentIds: ['crm-agent'],
      name: 'CRM',
      callerId: '+12125550100',
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
    },
  });
  await server.request('POST', '/v1/campaigns/crm/start');
  // Server-generated ids (ct_…): people know these contacts by their CRM ids only.
  for (const externalId of ['crm-7', 'Account 42/B']) {
    const created = await server.request<{ id: string }>('POST', '/v1/contacts', {
      body: { externalId, phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
    });
    assert.equal(created.status, 201, created.text);
    ids[externalId] = created.body.id;
  }
  await server.request('POST', '/v1/campaigns/crm/contacts', { body: { contactIds: Object.values(ids) } });
});
after(() => server.close());

describe('pconn call --contact', () => {
  test('takes an externalId when no contact has that id, and says which contact it is', async () => {
    const placed = await cli(['call', '--campaign', 'crm', '--contact', 'crm-7']);
    assert.equal(placed.code, 0, placed.stderr);
    assert.match(placed.stderr, new RegExp(`contact: externalId 'crm-7' is ${ids['crm-7']}`));
    const id = /^call (\S+) queued$/m.exec(placed.stdout)?.[1];
    assert.ok(id, placed.stdout);
    const call = await server.request<{ contactId: string }>('GET', `/v1/calls/${id}`);
    assert.equal(call.body.contactId, ids['crm-7']);

    // An externalId that cannot be an id (space, slash) is looked up too, dry runs included.
    const dry = await cli(['call', '--campaign', 'crm', '--contact', 'Account 42/B', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).allowed, true);

    // The contact's own id keeps working.
    const byId = await cli(['call', '--campaign', 'crm', '--contact', ids['crm-7'] as string, '--json']);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(JSON.parse(byId.stdout).contactId, ids['crm-7']);
  });

  test('a value that is neither names both readings and how to find the right one', async () => {
    const missing = await cli(['call', '--campaign', 'crm', '--contact', 'crm-404']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--contact 'crm-404' is neither a contact id nor a contact's externalId/);
    assert.match(missing.stderr, /pconn contacts list --external-id/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });
});
