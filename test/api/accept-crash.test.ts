import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CrashServer, createCrashCampaign } from '../support/crash-server.ts';

const REQUESTS = 150;
const SECRET = 'accept-crash-secret-0123456789';
// Longer than the old design's 60 s takeover of a key left in flight by a crash: a retry that
// kept getting 409 past it would then have made a second call.
const RETRY_FOR_MS = 75_000;
let dir = '';
let server: CrashServer | undefined;

after(async () => {
  server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One keyed campaign call with an inline contact (the shape that took the old one-request path). */
function send(base: string, token: string, i: number): Promise<Response> {
  return fetch(`${base}/v1/campaigns/crash/calls`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': `accept-crash-${i}`,
    },
    body: JSON.stringify({
      contact: {
        externalId: `accept-crash-${i}`,
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
      reason: `accept-crash-${i}`,
    }),
  });
}

test('SIGKILL right after calls commit: every retry with the same key answers its one call, never a second', {
  timeout: 300_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-accept-crash-'));
  server = new CrashServer({ dir, secret: SECRET, env: { PCONN_DIALER: 'off' } });
  await server.start();
  await createCrashCampaign(server.api, 1, {});
  const { base, token } = server;

  // Fire every request at once and kill the process as soon as the first one is answered: by
  // then some calls have committed and others are in flight, at every step of the accept path.
  const crash = server;
  let killed: Promise<void> | undefined;
  const first = await Promise.allSettled(
    Array.from({ length: REQUESTS }, (_, i) =>
      send(base, token, i).then((res) => {
        if (res.status === 202) killed ??= crash.kill();
        return res.status;
      }),
    ),
  );
  await (killed ?? crash.kill());
  const answeredBeforeKill = first.filter((r) => r.status === 'fulfilled' && r.value === 202).length;
  await crash.restart();

  // Retry every request with its key until it is answered (a key left in flight is 409).
  const answers = new Map<number, string>();
  const deadline = Date.now() + RETRY_FOR_MS;
  let pending = Array.from({ length: REQUESTS }, (_, i) => i);
  while (pending.length > 0 && Date.now() < deadline) {
    const results = await Promise.all(pending.map(async (i) => ({ i, res: await send(base, token, i) })));
    pending = [];
    for (const { i, res } of results) {
      const body = (await res.json()) as { id?: string; code?: string };
      if (res.status === 409 && body.code === 'idempotency_in_flight') pending.push(i);
      else {
        assert.equal(res.status, 202, `request ${i}: ${JSON.stringify(body)}`);
        answers.set(i, body.id as string);
      }
    }
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }

  const calls: Array<{ id: string; reason: string }> = [];
  for (let cursor: string | null = null; ; ) {
    const page = await server.api(
      'GET',
      `/v1/calls?campaignId=crash&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    calls.push(...(page.data as Array<{ id: string; reason: string }>));
    cursor = page.nextCursor as string | null;
    if (!cursor) break;
  }
  const byReason = new Map<string, string[]>();
  for (const call of calls) byReason.set(call.reason, [...(byReason.get(call.reason) ?? []), call.id]);
  const duplicated = [...byReason].filter(([, ids]) => ids.length > 1);
  assert.deepEqual(duplicated, [], 'a key made more than one call');
  assert.deepEqual(pending, [], 'every retry was answered');
  for (const [i, id] of answers)
    assert.deepEqual(byReason.get(`accept-crash-${i}`), [id], `request ${i} answers the one call of its key`);
  assert.ok(answeredBeforeKill >= 1, 'the kill came after at least one call was accepted');
  console.log(
    `# ${answeredBeforeKill} of ${REQUESTS} answered before the kill; ${calls.length} calls after the retries`,
  );
});
