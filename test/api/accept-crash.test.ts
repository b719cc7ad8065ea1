import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CrashServer, createCrashCampaign } from '../support/crash-server.ts';

const REQUESTS = 100;
// Kill after this many calls were answered, one round each: early, mid-stream and late.
const KILL_AFTER = [1, 10, 40];
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
function send(base: string, token: string, i: string): Promise<Response> {
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

test('SIGKILL right after calls commit (three times): every retry with the same key answers its one call, never a second', {
  timeout: 300_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-accept-crash-'));
  server = new CrashServer({ dir, secret: SECRET, env: { PCONN_DIALER: 'off' } });
  await server.start();
  await createCrashCampaign(server.api, 1, {});
  const { base, token } = server;

  // Each round fires its requests at once and kills the process as soon as KILL_AFTER of them
  // are answered: by then some calls have committed and others are in flight, at every step of
  // the accept path. A kill lands anywhere, so several rounds widen what is covered.
  const crash = server;
  const keys: string[] = [];
  let answeredBeforeKill = 0;
  for (const [round, killAfter] of KILL_AFTER.entries()) {
    const roundKeys = Array.from({ length: REQUESTS }, (_, i) => `${round}-${i}`);
    keys.push(...roundKeys);
    let answered = 0;
    let killed: Promise<void> | undefined;
    await Promise.allSettled(
      roundKeys.map((key) =>
        send(base, token, key).then((res) => {
          if (res.status === 202 && ++answered >= killAfter) killed ??= crash.kill();
        }),
      ),
    );
    await (killed ?? crash.kill());
    answeredBeforeKill += Math.min(answered, killAfter);
    await crash.restart();
  }

  // Retry every request with its key until it is answered (a key left in flight is 409).
  const answers = new Map<string, string>();
  const deadline = Date.now() + RETRY_FOR_MS;
  let pending: string[] = keys;
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
  assert.equal(calls.length, keys.length, 'one call per key');
  for (const [i, id] of answers)
    assert.deepEqual(byReason.get(`accept-crash-${i}`), [id], `request ${i} answers the one call of its key`);
  assert.ok(answeredBeforeKill >= 1, 'the kill came after at least one call was accepted');
  console.log(`# ${answeredBeforeKill} answered before the kills; ${calls.length} calls after the retries`);
});
