import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freeTcpPort, startServerProcess } from '../support/server-process.ts';

const CALLS = 500;
const KILLS = 5;
const SECRET = 'crash-test-secret-0123456789';
let dir = '';
let child: ChildProcess | undefined;

after(async () => {
  child?.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts the real server process and waits until it answers /readyz. */
function startServer(port: number): Promise<ChildProcess> {
  return startServerProcess({
    port,
    dir,
    secret: SECRET,
    env: { PCONN_SANDBOX_DIAL_LOG: join(dir, 'dials.ndjson') },
  });
}

test('SIGKILL at random moments never loses a call nor dials an attempt twice', {
  timeout: 600_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-crash-'));
  const port = await freeTcpPort();
  const base = `http://127.0.0.1:${port}`;
  child = await startServer(port);
  const tokenResponse = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'crash',
      client_secret: SECRET,
    }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  await api('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  const agents = Array.from({ length: 40 }, (_, i) => `agent-${i}`);
  for (const agent of agents)
    await api('PUT', `/v1/users/${agent}`, {
      name: agent,
      device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` },
    });
  await api('PUT', '/v1/campaigns/crash', {
    name: 'Crash',
    callerId: '+14155550100',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    agentIds: agents,
    // Attempts cut short by a kill end as network_error: retry them at once, not after the default minute.
    retryPolicy: {
      network_error: { retry: true, gapSeconds: 1 },
      no_answer: { retry: true, gapSeconds: 1 },
      busy: { retry: true, gapSeconds: 1 },
      minRedialGapSeconds: 0,
    },
    maxAttemptsPerContact: 10,
  });
  await api('POST', '/v1/campaigns/crash/start');
  const csv = [
    'externalId,timezone,mobile',
    ...Array.from({ length: CALLS }, (_, i) => `crash-${i},UTC,+12125550100`),
  ].join('\n');
  const imported = await fetch(`${base}/v1/campaigns/crash/contacts/import`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv' },
    body: csv,
  });
  assert.equal(imported.status, 200, await imported.text());
  const contacts: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await api(
      'GET',
      `/v1/campaigns/crash/contacts?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    )) as { data: Array<{ id: string }>; nextCursor: string | null };
    contacts.push(...page.data.map((c) => c.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(contacts.length, CALLS);
  const callIds: string[] = [];
  for (let i = 0; i < CALLS; i += 50) {
    const batch = await Promise.all(
      contacts.slice(i, i + 50).map((contactId) => api('POST', '/v1/campaigns/crash/calls', { contactId })),
    );
    callIds.push(...batch.map((c) => c.id as string));
  }

  for (let kill = 0; kill < KILLS; kill++) {
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    child = await startServer(port);
  }

  const terminal = new Set(['completed', 'failed', 'canceled', 'blocked']);
  const deadline = Date.now() + 240_000;
  let statuses: string[] = [];
  for (;;) {
    statuses = [];
    let next: string | null = null;
    do {
      const page = (await api(
        'GET',
        `/v1/calls?campaignId=crash&limit=200${next ? `&cursor=${next}` : ''}`,
      )) as { data: Array<{ status: string }>; nextCursor: string | null };
      statuses.push(...page.data.map((c) => c.status));
      next = page.nextCursor;
    } while (next);
    if (statuses.length === CALLS && statuses.every((s) => terminal.has(s))) break;
    if (Date.now() > deadline) throw new Error(`not all calls ended: ${JSON.stringify(countBy(statuses))}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const dials = (await readFile(join(dir, 'dials.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { legId: string }).legId);
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const leg of dials) {
    if (seen.has(leg)) twice.push(leg);
    seen.add(leg);
  }
  assert.deepEqual(twice, [], 'no leg of any attempt was dialled twice');
  assert.equal(statuses.length, CALLS);
  assert.ok(statuses.filter((s) => s === 'completed').length > CALLS / 2, JSON.stringify(countBy(statuses)));
});

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
