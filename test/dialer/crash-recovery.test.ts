import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CrashServer, createCrashCampaign } from '../support/crash-server.ts';

const CALLS = 500;
const KILLS = 5;
const SECRET = 'crash-test-secret-0123456789';
let dir = '';
let server: CrashServer | undefined;

after(async () => {
  server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('SIGKILL at random moments never loses a call nor dials an attempt twice', {
  timeout: 600_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-crash-'));
  server = new CrashServer({
    dir,
    secret: SECRET,
    env: { PCONN_SANDBOX_DIAL_LOG: join(dir, 'dials.ndjson') },
  });
  await server.start();
  const { api, base } = server;
  // Attempts cut short by a kill end as network_error: retry them at once, not after the default minute.
  await createCrashCampaign(api, 40, {
    network_error: { retry: true, gapSeconds: 1 },
    no_answer: { retry: true, gapSeconds: 1 },
    busy: { retry: true, gapSeconds: 1 },
    minRedialGapSeconds: 0,
  });
  const csv = [
    'externalId,timezone,mobile',
    ...Array.from({ length: CALLS }, (_, i) => `crash-${i},UTC,+12125550100`),
  ].join('\n');
  const imported = await fetch(`${base}/v1/campaigns/crash/contacts/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'text/csv' },
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

  await server.killAndRestart(KILLS, 200, 1500);

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
