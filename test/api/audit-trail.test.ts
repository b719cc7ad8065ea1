import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const run = promisify(execFile);
type Entry = Record<string, unknown>;
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

async function auditFor(requestId: string): Promise<Entry | undefined> {
  const res = await server.request<{ data: Entry[] }>('GET', `/v1/audit-events?requestId=${requestId}`);
  assert.equal(res.status, 200, res.text);
  return res.body.data[0];
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      'node',
      [
        'bin/pconn.js',
        ...args,
        '--url',
        server.url,
        '--client-id',
        server.adminId,
        '--client-secret',
        server.adminSecret,
      ],
      {
        env: { ...process.env, PCONN_URL: '' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('every request is audited', () => {
  test('accepted requests: tenant, client, route, status, digest and redacted body', async () => {
    const res = await server.request('PUT', '/v1/trunks/t1', {
      body: { uri: 'sip:carrier.example:5060', password: 'hunter2-secret' },
      headers: { 'x-request-id': 'audit-accepted-1' },
    });
    assert.equal(res.headers.get('x-request-id'), 'audit-accepted-1');
    const entry = await auditFor('audit-accepted-1');
    assert.ok(entry);
    assert.equal(entry.tenantId, 'default');
    assert.equal(entry.clientId, server.adminId);
    assert.equal(entry.method, 'PUT');
    assert.equal(entry.route, '/v1/trunks/:id');
    assert.equal(entry.path, '/v1/trunks/t1');
    assert.equal(entry.status, 201);
    assert.equal(entry.code, null);
    assert.match(entry.bodyDigest as string, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(entry.body, { uri: 'sip:carrier.example:5060', password: '[redacted]' });
    assert.ok(typeof entry.durationMs === 'number');
  });

  test('malformed JSON, 415 and schema failures are audited with their code', async () => {
    await server.request('POST', '/v1/campaigns', {
      rawBody: '{"name":',
      headers: { 'content-type': 'application/json', 'x-request-id': 'audit-bad-json' },
    });
    await server.request('POST', '/v1/campaigns', {
      rawBody: 'x',
      headers: { 'content-type': 'text/plain', 'x-request-id': 'audit-415' },
    });
    await server.request('POST', '/v1/campaigns', {
      body: { nmae: 1 },
      headers: { 'x-request-id': 'audit-schema' },
    });
    assert.deepEqual(
      [(await auditFor('audit-bad-json'))?.code, (await auditFor('audit-bad-json'))?.status],
      ['invalid_json', 400],
    );
    assert.deepEqual((await auditFor('audit-bad-json'))?.body, { raw: '{"name":' });
    assert.equal((await auditFor('audit-415'))?.code, 'unsupported_media_type');
    const schema = await auditFor('audit-schema');
    assert.equal(schema?.code, 'invalid_request');
    // The entry keeps the problem as answered, pointers included (what `pconn explain` prints).
    const problem = schema?.problem as { code: string; errors: Array<{ pointer: string }> };
    assert.equal(problem.code, 'invalid_request');
    assert.ok(
      problem.errors.some((e) => e.pointer === '/nmae'),
      JSON.stringify(problem),
    );
  });

  test('401s land in the tenant-less chain; token requests are audited without the secret', async () => {
    await server.request('GET', '/v1/campaigns', { token: null, headers: { 'x-request-id': 'audit-401' } });
    await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'x-request-id': 'audit-token' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: server.adminId,
        client_secret: 'wrong-secret',
      }),
    });
    const rows = await server.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('request_id', 'in', ['audit-401', 'audit-token'])
      .orderBy('sequence')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.request_id, r.status, r.code, r.chain]),
      [
        ['audit-401', 401, 'missing_token', '-'],
        ['audit-token', 401, 'invalid_client', '-'],
      ],
    );
    assert.equal(rows[1]?.client_id, server.adminId);
    assert.ok(!JSON.stringify(rows[1]?.body).includes('wrong-secret'));
  });

  test('bodies over 16 KiB are kept as a capped preview', async () => {
    await server.request('POST', '/v1/campaigns', {
      body: { name: 'big', metadata: { blob: 'x'.repeat(40_000) } },
      headers: { 'x-request-id': 'audit-big' },
    });
    const body = (await auditFor('audit-big'))?.body as { truncated: boolean; preview: string };
    assert.equal(body.truncated, true);
    assert.ok(body.preview.length <= 16 * 1024);
  });

  test('filters: status, code and time range', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const byCode = await server.request<{ data: Entry[] }>(
      'GET',
      '/v1/audit-events?code=invalid_request&limit=200',
    );
    assert.ok(byCode.body.data.length >= 1 && byCode.body.data.every((e) => e.code === 'invalid_request'));
    const byStatus = await server.request<{ data: Entry[] }>(
      'GET',
      `/v1/audit-events?status=201&from=${encodeURIComponent(since)}`,
    );
    assert.ok(byStatus.body.data.length >= 1 && byStatus.body.data.every((e) => e.status === 201));
    const future = await server.request<{ data: Entry[] }>(
      'GET',
      `/v1/audit-events?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`,
    );
    assert.deepEqual(future.body.data, []);
  });

  test('concurrent requests all get entries, each chain link intact', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `audit-burst-${i}`);
    await Promise.all(
      ids.map((id) => server.request('GET', '/v1/campaigns', { headers: { 'x-request-id': id } })),
    );
    const rows = await server.store.db
      .selectFrom('audit_events')
      .select('request_id')
      .where('request_id', 'like', 'audit-burst-%')
      .execute();
    assert.equal(rows.length, 60);
  });
});

describe('pconn audit verify', () => {
  test('passes on an intact chain, then detects an altered and a deleted entry', async () => {
    const intact = await cli(['audit', 'verify']);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /intact/);

    await sql`update audit_events set status = 200 where request_id = 'audit-schema'`.execute(
      server.store.db,
    );
    const altered = await cli(['audit', 'verify', '--json']);
    assert.equal(altered.code, 1);
    const report = JSON.parse(altered.stdout) as {
      ok: boolean;
      breaks: Array<{ reason: string; requestId?: string }>;
    };
    assert.equal(report.ok, false);
    assert.ok(report.breaks.some((b) => b.reason === 'hash_mismatch' && b.requestId === 'audit-schema'));

    await sql`update audit_events set status = 400 where request_id = 'audit-schema'`.execute(
      server.store.db,
    );
    assert.equal((await cli(['audit', 'verify'])).code, 0, 'restoring the value restores the chain');

    await sql`delete from audit_events where request_id = 'audit-accepted-1'`.execute(server.store.db);
    const deleted = await cli(['audit', 'verify']);
    assert.equal(deleted.code, 1);
    assert.match(deleted.stdout, /sequence_gap|link_mismatch/);
  });

  test('CLI errors are the problem, not a stack trace', async () => {
    const bad = await cli(['clients', 'create', '--name', 'x', '--scopes', 'calls:fly']);
    assert.equal(bad.code, 1, 'exit 1: the API refused the request');
    assert.match(bad.stderr, /Invalid request/);
    assert.match(bad.stderr, /\/scopes\/0/);
    assert.ok(!bad.stderr.includes('    at '));
    const created = await cli([
      'clients',
      'create',
      '--name',
      'ci',
      '--scopes',
      'calls:read,calls:write',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const client = JSON.parse(created.stdout) as { clientId: string; clientSecret: string };
    assert.ok(client.clientSecret.length >= 32);
    const list = await cli(['clients', 'list']);
    assert.match(list.stdout, new RegExp(client.clientId));
    const revoked = await cli(['clients', 'revoke', client.clientId]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await cli(['clients', 'revoke', 'nope'])).code, 1);
  });
});
