import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CrashServer, createCrashCampaign } from '../support/crash-server.ts';
import { waitFor } from '../support/wait-for.ts';

const CALLS = 12;
const SECRET = 'crash-test-secret-0123456789';
let dir = '';
let server: CrashServer | undefined;

after(async () => {
  server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Attempt {
  n: number;
  outcome: string | null;
  sipReason: string | null;
}

test('SIGKILL after a batch of attempts committed and before its INVITEs: no call lost, none dialled twice', {
  timeout: 300_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-crash-invite-'));
  const marker = join(dir, 'killed');
  server = new CrashServer({
    dir,
    secret: SECRET,
    entry: 'test/support/kill-after-attempts.ts',
    env: { PCONN_SANDBOX_DIAL_LOG: join(dir, 'dials.ndjson'), KILL_MARKER: marker },
  });
  await server.start();
  const { api, base } = server;
  await createCrashCampaign(api, 15, {
    network_error: { retry: true, gapSeconds: 1 },
    no_answer: { retry: true, gapSeconds: 1 },
    busy: { retry: true, gapSeconds: 1 },
    minRedialGapSeconds: 0,
  });
  const child = server.child;
  const exited = new Promise((resolve) => child?.once('exit', resolve));
  const csv = [
    'externalId,timezone,mobile',
    ...Array.from({ length: CALLS }, (_, i) => `batch-${i},UTC,+12125550100`),
  ].join('\n');
  const imported = await fetch(`${base}/v1/campaigns/crash/contacts/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  assert.equal(imported.status, 200, await imported.text());
  const page = (await api('GET', `/v1/campaigns/crash/contacts?limit=${CALLS}`)) as {
    data: Array<{ id: string }>;
  };
  // Accepted together, claimed together: the first claim round holds several calls. The process
  // kills itself once their attempts committed, so some requests may find it gone.
  const accepted = await Promise.allSettled(
    page.data.map((c) => api('POST', '/v1/campaigns/crash/calls', { contactId: c.id })),
  );
  await exited;
  assert.ok(existsSync(marker), 'the process killed itself between the attempt write and the INVITEs');
  await server.restart();

  const ids = new Set(accepted.flatMap((r) => (r.status === 'fulfilled' ? [r.value.id as string] : [])));
  // A request cut off by the kill may still have been accepted: count the campaign's calls.
  const calls = async () =>
    (
      (await api('GET', `/v1/calls?campaignId=crash&limit=200`)) as {
        data: Array<{ id: string; status: string; attempts: Attempt[] }>;
      }
    ).data;
  const terminal = new Set(['completed', 'failed', 'canceled', 'blocked']);
  const ended = await waitFor(
    async () => {
      const all = await calls();
      return all.length >= ids.size && all.every((c) => terminal.has(c.status)) ? all : undefined;
    },
    { timeout: 240_000, interval: 500, what: 'every call ended' },
  );
  for (const id of ids)
    assert.ok(
      ended.some((c) => c.id === id),
      `accepted call ${id} is not lost`,
    );

  const dials = (await readFile(join(dir, 'dials.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { legId: string }).legId);
  assert.equal(new Set(dials).size, dials.length, 'no leg of any attempt was dialled twice');
  // The attempts of the killed batch: written, never dialled, closed by recovery, and the call
  // went on with a new attempt.
  const cut = ended.flatMap((call) =>
    call.attempts.filter((a) => a.sipReason?.includes('lease expired')).map((a) => ({ call, attempt: a })),
  );
  assert.ok(cut.length >= 1, `the killed batch's attempts were closed by recovery: ${JSON.stringify(ended)}`);
  for (const { call, attempt } of cut) {
    assert.ok(
      !dials.includes(`${call.id}/${attempt.n}/agent`),
      `attempt ${call.id}/${attempt.n} was never dialled`,
    );
    assert.equal(attempt.outcome, 'network_error');
    assert.ok(call.attempts.length > attempt.n, `call ${call.id} was dialled again with a new attempt`);
  }
});
