import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('campaigns', () => {
  test('PUT creates (201 + Location), repeats idempotently (200), and keeps status', async () => {
    const body = {
      name: 'Renewals',
      callerId: '+14155550100',
      callingWindow: { start: '09:00', end: '20:00' },
    };
    const first = await server.request<Json>('PUT', '/v1/campaigns/renewals-2026', { body });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('location'), '/v1/campaigns/renewals-2026');
    assert.equal(first.body.status, 'draft');
    assert.equal(first.body.allowApiCalls, true);
    assert.equal(first.body.maxAttemptsPerContact, 3);
    const again = await server.request<Json>('PUT', '/v1/campaigns/renewals-2026', { body });
    assert.equal(again.status, 200);
    assert.deepEqual({ ...again.body, updatedAt: null }, { ...first.body, updatedAt: null });
  });

  test('status machine: start → pause → resume → stop, and start with a future schedule → scheduled', async () => {
    const { body } = await server.request<Json>('POST', '/v1/campaigns', { body: { name: 'Flow' } });
    const id = body.id as string;
    assert.match(id, /^cmp_/);
    const statuses: unknown[] = [];
    for (const action of ['start', 'pause', 'resume', 'stop']) {
      const res = await server.request<Json>('POST', `/v1/campaigns/${id}/${action}`);
      assert.equal(res.status, 200, res.text);
      statuses.push(res.body.status);
    }
    assert.deepEqual(statuses, ['running', 'paused', 'running', 'stopped']);
    const later = new Date(Date.now() + 86400_000).toISOString();
    const scheduled = await server.request<Json>('POST', '/v1/campaigns', {
      body: { name: 'Later', schedule: { startAt: later } },
    });
    const started = await server.request<Json>('POST', `/v1/campaigns/${scheduled.body.id}/start`);
    assert.equal(started.body.status, 'scheduled');
    const deleteRunning = await server.request('DELETE', `/v1/campaigns/${scheduled.body.id}`);
    assert.equal(deleteRunning.status, 409);
  });

  test('PATCH changes top-level fields, null clears an optional one, status cannot be patched', async () => {
    const { body } = await server.request<Json>('POST', '/v1/campaigns', {
      body: { name: 'P', callerId: '+14155550100', timezone: 'Europe/Paris' },
    });
    const patched = await server.request<Json>('PATCH', `/v1/campaigns/${body.id}`, {
      body: { name: 'P2', timezone: null },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'P2');
    assert.equal(patched.body.timezone, null);
    assert.equal(patched.body.callerId, '+14155550100');
    const status = await server.request('PATCH', `/v1/campaigns/${body.id}`, { body: { status: 'running' } });
    assert.equal(status.status, 400);
  });

  test('lists page with an opaque cursor and filter by status', async () => {
    for (let i = 0; i < 5; i++)
      await server.request('PUT', `/v1/campaigns/page-${i}`, { body: { name: `page ${i}` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await server.request<{ data: Json[]; nextCursor: string | null }>(
        'GET',
        `/v1/campaigns?limit=2${query}`,
      );
      assert.equal(page.status, 200);
      assert.ok(page.body.data.length <= 2);
      seen.push(...page.body.data.map((c) => c.id as string));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no campaign listed twice');
    for (let i = 0; i < 5; i++) assert.ok(seen.includes(`page-${i}`));
    const drafts = await server.request<{ data: Json[] }>('GET', '/v1/campaigns?status=draft&limit=200');
    assert.ok(drafts.body.data.every((c) => c.status === 'draft'));
  });
});

describe('contacts', () => {
  test('CRUD, lookup by externalId, membership', async () => {
    const created = await server.request<Json>('POST', '/v1/contacts', {
      body: {
        externalId: 'crm-1',
        name: 'Ada',
        phoneNumbers: [{ phoneType: 'mobile', number: '+447911123456' }],
        timezone: 'Europe/London',
        consent: { status: 'granted', source: 'web form' },
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.id as string, /^ct_/);
    assert.equal((created.body.consent as Json).source, 'web form');
    const found = await server.request<{ data: Json[] }>('GET', '/v1/contacts?externalId=crm-1');
    assert.deepEqual(
      found.body.data.map((c) => c.id),
      [created.body.id],
    );
    const campaign = await server.request<Json>('POST', '/v1/campaigns', { body: { name: 'Members' } });
    const add = await server.request<Json>('POST', `/v1/campaigns/${campaign.body.id}/contacts`, {
      body: { contactIds: [created.body.id] },
    });
    assert.deepEqual(add.body, { added: 1, alreadyMembers: 0 });
    const again = await server.request<Json>('POST', `/v1/campaigns/${campaign.body.id}/contacts`, {
      body: { contactIds: [created.body.id] },
    });
    assert.deepEqual(again.body, { added: 0, alreadyMembers: 1 });
    const members = await server.request<{ data: Json[] }>(
      'GET',
      `/v1/campaigns/${campaign.body.id}/contacts`,
    );
    assert.deepEqual(
      members.body.data.map((c) => c.externalId),
      ['crm-1'],
    );
    assert.equal(
      (await server.request('DELETE', `/v1/campaigns/${campaign.body.id}/contacts/${created.body.id}`))
        .status,
      204,
    );
    assert.equal((await server.request('DELETE', `/v1/contacts/${created.body.id}`)).status, 204);
    assert.equal((await server.request('GET', `/v1/contacts/${created.body.id}`)).status, 404);
  });

  test('tenant phone types govern contacts', async () => {
    const set = await server.request<Json>('PUT', '/v1/settings/phone-types', {
      body: { phoneTypes: ['mobile', 'home', 'work', 'other', 'pager'] },
    });
    assert.equal(set.status, 200);
    const get = await server.request<Json>('GET', '/v1/settings/phone-types');
    assert.deepEqual(get.body.phoneTypes, ['mobile', 'home', 'work', 'other', 'pager']);
    const pager = await server.request('PUT', '/v1/contacts/pg', {
      body: { externalId: 'pg', phoneNumbers: [{ phoneType: 'pager', number: '+14155550111' }] },
    });
    assert.equal(pager.status, 201);
  });
});

describe('users, caller ids, trunks, webhooks', () => {
  test('user devices: sip, phone, registered (password write-only)', async () => {
    const sip = await server.request<Json>('PUT', '/v1/users/agent-1', {
      body: { name: 'Agent One', device: { type: 'sip', uri: 'sip:agent1@127.0.0.1:5070' } },
    });
    assert.equal(sip.status, 201);
    assert.equal(sip.body.status, 'active');
    const registered = await server.request<Json>('PUT', '/v1/users/agent-2', {
      body: {
        name: 'Agent Two',
        device: { type: 'registered', username: 'agent2', password: 'correct horse' },
      },
    });
    assert.deepEqual(registered.body.device, { type: 'registered', username: 'agent2', hasPassword: true });
    assert.ok(!registered.text.includes('correct horse'));
    const kept = await server.request<Json>('PUT', '/v1/users/agent-2', {
      body: { name: 'Agent 2', device: { type: 'registered', username: 'agent2' } },
    });
    assert.equal((kept.body.device as Json).hasPassword, true);
  });

  test('caller ids: verifying needs admin, and records who and when', async () => {
    const writer = await server.tokenWithScopes(['caller-ids:write', 'caller-ids:read']);
    const label = await server.request<Json>('PUT', '/v1/caller-ids/+14155550199', {
      token: writer,
      body: { label: 'Main line' },
    });
    assert.equal(label.status, 201, label.text);
    assert.equal(label.body.verified, false);
    const refused = await server.request<Json>('PUT', '/v1/caller-ids/+14155550199', {
      token: writer,
      body: { verified: true },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'insufficient_scope');
    assert.deepEqual(refused.body.requiredScopes, ['admin']);
    const verified = await server.request<Json>('PUT', '/v1/caller-ids/+14155550199', {
      body: { verified: true, label: 'Main line' },
    });
    assert.equal(verified.body.verified, true);
    assert.equal(verified.body.verifiedBy, server.adminId);
    assert.ok(verified.body.verifiedAt);
    const bad = await server.request<Json>('PUT', '/v1/caller-ids/4155550199', { body: { verified: false } });
    assert.equal(bad.status, 400);
  });

  test('trunk passwords are write-only', async () => {
    const trunk = await server.request<Json>('PUT', '/v1/trunks/carrier', {
      body: { uri: 'sip:trunk.example.net:5060', username: 'acct', password: 's3cret-pw', cps: 5 },
    });
    assert.equal(trunk.status, 201);
    assert.equal(trunk.body.hasPassword, true);
    assert.ok(!trunk.text.includes('s3cret-pw'));
    const list = await server.request('GET', '/v1/trunks');
    assert.ok(!list.text.includes('s3cret-pw'));
  });

  test('webhook secrets are shown on creation and rotation only; private targets refused unless allowed', async () => {
    const created = await server.request<Json>('PUT', '/v1/webhooks/crm', {
      body: { url: 'http://127.0.0.1:9999/hook', events: ['call.*'] },
    });
    assert.equal(created.status, 201);
    assert.match(created.body.secret as string, /^whsec_/);
    const read = await server.request<Json>('GET', '/v1/webhooks/crm');
    assert.equal(read.body.secret, undefined);
    const rotated = await server.request<Json>('PATCH', '/v1/webhooks/crm', { body: { rotateSecret: true } });
    assert.match(rotated.body.secret as string, /^whsec_/);
    assert.notEqual(rotated.body.secret, created.body.secret);
    const strict = await startTestServer({ env: { PCONN_WEBHOOK_ALLOW_PRIVATE: '0' } });
    try {
      const refused = await strict.request<Json>('PUT', '/v1/webhooks/local', {
        body: { url: 'http://10.1.2.3/hook' },
      });
      assert.equal(refused.status, 400);
      assert.equal((refused.body.errors as Json[])[0]?.pointer, '/url');
    } finally {
      await strict.close();
    }
  });
});

describe('tenancy', () => {
  test('a tenant admin cannot revoke a system client (no operator lock-out)', async () => {
    const adminOnly = await server.tokenWithScopes(['admin']);
    const res = await server.request<Json>('POST', `/v1/clients/${server.adminId}/revoke`, {
      token: adminOnly,
    });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.code, 'insufficient_scope');
    assert.deepEqual(res.body.requiredScopes, ['system']);
    const stillWorks = await server.request('GET', '/v1/campaigns');
    assert.equal(stillWorks.status, 200);
  });

  test('tenants and clients: a new tenant sees none of default’s resources', async () => {
    const tenant = await server.request<Json>('POST', '/v1/tenants', {
      body: { name: 'Acme', id: 'acme', defaultRegion: 'GB' },
    });
    assert.equal(tenant.status, 201, tenant.text);
    const dup = await server.request<Json>('POST', '/v1/tenants', { body: { name: 'Acme', id: 'acme' } });
    assert.equal(dup.status, 409);
    const token = await server.tokenWithScopes(['campaigns:read', 'contacts:write'], 'acme');
    const list = await server.request<{ data: Json[] }>('GET', '/v1/campaigns', { token });
    assert.deepEqual(list.body.data, []);
    assert.equal((await server.request('GET', '/v1/campaigns/renewals-2026', { token })).status, 404);
    const gb = await server.request<Json>('POST', '/v1/contacts', {
      token,
      body: { externalId: 'uk', phoneNumbers: [{ phoneType: 'mobile', number: '07911 123456' }] },
    });
    const hint = (gb.body.errors as Json[])[0]?.hint as string;
    assert.match(hint, /\+447911123456/, 'hint uses the tenant default region GB');
    const clients = await server.request<{ data: Json[] }>('GET', '/v1/clients');
    assert.ok(clients.body.data.some((c) => c.clientId === server.adminId));
    assert.ok(!clients.text.includes('secret'));
  });
});
