import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PconnClient } from '../../src/sdk/index.ts';
import { runCliInProcess } from '../cli/run-cli.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Entry = Record<string, unknown>;
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** The entry of the request the test sent with `X-Request-Id: clientRequestId`. */
async function auditFor(clientRequestId: string): Promise<Entry | undefined> {
  const res = await server.request<{ data: Entry[] }>(
    'GET',
    `/v1/audit-events?clientRequestId=${clientRequestId}`,
  );
  assert.equal(res.status, 200, res.text);
  return res.body.data[0];
}

/** `pconn …args` as the given client (in this process: what is tested is the command, not the spawn). */
async function cli(
  args: string[],
  credentials: { id: string; secret: string } = { id: server.adminId, secret: server.adminSecret },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliInProcess([
    ...args,
    '--url',
    server.url,
    '--client-id',
    credentials.id,
    '--client-secret',
    credentials.secret,
  ]);
}

describe('every request is audited', () => {
  test('accepted requests: tenant, client, route, status, digest and redacted body', async () => {
    const res = await server.request('PUT', '/v1/trunks/t1', {
      body: { uri: 'sip:carrier.example:5060', password: 'hunter2-secret' },
      headers: { 'x-request-id': 'audit-accepted-1' },
    });
    const entry = await auditFor('audit-accepted-1');
    assert.ok(entry);
    assert.equal(entry.requestId, res.headers.get('x-request-id'));
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
      .where('client_request_id', 'in', ['audit-401', 'audit-token'])
      .orderBy('sequence')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.client_request_id, r.status, r.code, r.chain]),
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
      .where('client_request_id', 'like', 'audit-burst-%')
      .execute();
    assert.equal(rows.length, 60);
  });
});

describe('request ids', () => {
  test('every response carries a pconn-generated unique X-Request-Id; a client-sent one never replaces it and is kept as clientRequestId (searchable)', async () => {
    const sent = 'client-correlation-1';
    const [a, b] = await Promise.all(
      [0, 1].map(() => server.request('GET', '/v1/campaigns', { headers: { 'x-request-id': sent } })),
    );
    const ids = [a?.headers.get('x-request-id'), b?.headers.get('x-request-id')];
    for (const id of ids) assert.match(id ?? '', /^req_[A-Za-z0-9_-]{20}$/);
    assert.notEqual(ids[0], ids[1], 'two requests never share an id, whatever the client sent');
    const byClientId = await server.request<{ data: Entry[] }>(
      'GET',
      `/v1/audit-events?clientRequestId=${sent}`,
    );
    assert.deepEqual(byClientId.body.data.map((e) => e.requestId).sort(), [...ids].sort());
    assert.ok(byClientId.body.data.every((e) => e.clientRequestId === sent));
    const byOurId = await server.request<{ data: Entry[] }>('GET', `/v1/audit-events?requestId=${ids[0]}`);
    assert.equal(byOurId.body.data[0]?.clientRequestId, sent);
    const bySentAsOurs = await server.request<{ data: Entry[] }>('GET', `/v1/audit-events?requestId=${sent}`);
    assert.deepEqual(bySentAsOurs.body.data, [], 'the client id is never taken as ours');
  });

  test('a problem carries pconn’s request id, not the client’s; a client id that is not visible ASCII is ignored, never refused', async () => {
    const res = await server.request<Entry>('GET', '/v1/campaigns/nope', {
      headers: { 'x-request-id': 'my-trace-9' },
    });
    assert.equal(res.status, 404);
    assert.equal(res.body.requestId, res.headers.get('x-request-id'));
    assert.notEqual(res.body.requestId, 'my-trace-9');
    const odd = await server.request('GET', '/v1/campaigns', {
      headers: { 'x-request-id': 'x'.repeat(300) },
    });
    assert.equal(odd.status, 200);
    const entry = await server.request<{ data: Entry[] }>(
      'GET',
      `/v1/audit-events?requestId=${odd.headers.get('x-request-id')}`,
    );
    assert.equal(entry.body.data[0]?.clientRequestId, null);
  });
});

describe('the unauthenticated chain', () => {
  test('a 401 names its audit entry; a system-scope client reads it at ?chain=unauthenticated&requestId=…', async () => {
    const res = await server.request<Entry>('GET', '/v1/campaigns', {
      token: null,
      headers: { 'x-request-id': 'who-am-i' },
    });
    assert.equal(res.status, 401);
    const requestId = res.headers.get('x-request-id') ?? '';
    const link = res.body.auditEntry as { href: string; requestId: string; requiredScopes: string[] };
    assert.equal(link.requestId, requestId);
    assert.equal(link.href, `/v1/audit-events?chain=unauthenticated&requestId=${requestId}`);
    assert.deepEqual(link.requiredScopes, ['audit:read', 'system']);
    const read = await server.request<{ data: Entry[] }>('GET', link.href);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.data.length, 1);
    assert.deepEqual(
      [
        read.body.data[0]?.status,
        read.body.data[0]?.code,
        read.body.data[0]?.chain,
        read.body.data[0]?.clientRequestId,
      ],
      [401, 'missing_token', '-', 'who-am-i'],
    );
    const sdk = new PconnClient({
      baseUrl: server.url,
      clientId: server.adminId,
      clientSecret: server.adminSecret,
    });
    assert.equal((await sdk.audit.byRequestId(requestId, 'unauthenticated'))?.status, 401);
    assert.equal(await sdk.audit.byRequestId(requestId), undefined, 'not in the tenant chain');
    const head = await server.request<Entry>('GET', '/v1/audit-events/head?chain=unauthenticated');
    assert.equal(head.body.chain, '-');
    assert.ok((head.body.sequence as number) >= (read.body.data[0]?.sequence as number));
    const bad = await server.request<Entry>('GET', '/v1/campaigns', { token: 'not-a-jwt' });
    assert.equal(bad.status, 401);
    assert.equal((bad.body.auditEntry as { requestId: string }).requestId, bad.headers.get('x-request-id'));
  });

  test('without the system scope the unauthenticated chain is 403 insufficient_scope; the tenant chain never holds 401s', async () => {
    const token = await server.tokenWithScopes(['audit:read']);
    const refused = await server.request<Entry>('GET', '/v1/audit-events?chain=unauthenticated', { token });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 'insufficient_scope');
    assert.deepEqual(refused.body.requiredScopes, ['system']);
    const head = await server.request<Entry>('GET', '/v1/audit-events/head?chain=unauthenticated', { token });
    assert.equal(head.status, 403);
    const own = await server.request<{ data: Entry[] }>('GET', '/v1/audit-events?status=401&limit=200', {
      token,
    });
    assert.equal(own.status, 200);
    assert.ok(own.body.data.every((e) => e.chain === 'default'));
    const unknown = await server.request<Entry>('GET', '/v1/audit-events?chain=everything', { token });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'invalid_request');
  });
});

describe('pconn audit verify', () => {
  test('passes on an intact chain, then detects an altered and a deleted entry', async () => {
    const schemaRequestId = (await auditFor('audit-schema'))?.requestId;
    const intact = await cli(['audit', 'verify']);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /intact/);

    await sql`update audit_events set status = 200 where client_request_id = 'audit-schema'`.execute(
      server.store.db,
    );
    const altered = await cli(['audit', 'verify', '--json']);
    assert.equal(altered.code, 1);
    const report = JSON.parse(altered.stdout) as {
      ok: boolean;
      breaks: Array<{ reason: string; requestId?: string }>;
    };
    assert.equal(report.ok, false);
    assert.ok(report.breaks.some((b) => b.reason === 'hash_mismatch' && b.requestId === schemaRequestId));

    await sql`update audit_events set status = 400 where client_request_id = 'audit-schema'`.execute(
      server.store.db,
    );
    assert.equal((await cli(['audit', 'verify'])).code, 0, 'restoring the value restores the chain');

    await sql`delete from audit_events where client_request_id = 'audit-accepted-1'`.execute(server.store.db);
    const deleted = await cli(['audit', 'verify']);
    assert.equal(deleted.code, 1);
    assert.match(deleted.stdout, /sequence_gap|link_mismatch/);
  });

  test('with the system scope it verifies the unauthenticated chain too: entries verified, the first break, exit 1', async () => {
    await server.request('GET', '/v1/campaigns', {
      token: null,
      headers: { 'x-request-id': 'verify-401-a' },
    });
    await server.request('GET', '/v1/campaigns', {
      token: null,
      headers: { 'x-request-id': 'verify-401-b' },
    });
    const intact = await cli(['audit', 'verify', '--chain', 'unauthenticated']);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /unauthenticated chain intact: \d+ entries verified/);

    await sql`update audit_events set code = 'forged' where client_request_id = 'verify-401-a'`.execute(
      server.store.db,
    );
    const broken = await cli(['audit', 'verify']);
    assert.equal(broken.code, 1);
    const id = await server.store.db
      .selectFrom('audit_events')
      .select(['request_id', 'sequence'])
      .where('client_request_id', '=', 'verify-401-a')
      .executeTakeFirstOrThrow();
    assert.match(
      broken.stdout,
      new RegExp(
        `unauthenticated chain BROKEN: .*first break at sequence ${id.sequence}: hash_mismatch \\(request ${id.request_id}\\)`,
      ),
    );
    const json = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout) as {
      ok: boolean;
      chains: Array<{
        chain: string;
        ok: boolean;
        entries: number;
        firstBreak: { requestId: string } | null;
      }>;
    };
    assert.equal(json.ok, false);
    const unauthenticated = json.chains.find((c) => c.chain === 'unauthenticated');
    assert.equal(unauthenticated?.firstBreak?.requestId, id.request_id);
    assert.ok((unauthenticated?.entries ?? 0) >= 2);
    await sql`update audit_events set code = 'missing_token' where client_request_id = 'verify-401-a'`.execute(
      server.store.db,
    );
    assert.equal((await cli(['audit', 'verify', '--chain', 'unauthenticated'])).code, 0);
  });

  test('without the system scope it verifies the tenant chain and says the unauthenticated one was not verified', async () => {
    const created = await server.request<{ clientId: string; clientSecret: string }>('POST', '/v1/clients', {
      body: { name: 'auditor', scopes: ['audit:read'] },
    });
    assert.equal(created.status, 201, created.text);
    const auditor = { id: created.body.clientId, secret: created.body.clientSecret };
    const result = await cli(['audit', 'verify', '--chain', 'all'], auditor);
    assert.match(result.stdout, /tenant chain .*entries verified/);
    assert.match(result.stdout, /unauthenticated chain: not verified \(needs the system scope\)/);
    const explicit = await cli(['audit', 'verify', '--chain', 'unauthenticated'], auditor);
    assert.equal(explicit.code, 1);
    assert.match(explicit.stderr, /insufficient_scope/);
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
