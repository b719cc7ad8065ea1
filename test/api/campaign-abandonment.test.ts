// GET /v1/campaigns/{id}/abandonment over HTTP: a seeded history read back through the route,
// the range checks (400 with the parameter named), 404 and the scope.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { recordAttemptMedia } from '../../src/store/calls/attempt-media.ts';
import { insertAttempt, insertCall, settleAttempt } from '../../src/store/calls/calls.ts';
import { SteppedClock } from '../support/stepped-clock.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitingCall } from '../support/waiting-call.ts';

type FieldError = { pointer: string; code: string; detail: string; hint?: string };
type Ledger = {
  campaignId: string;
  jurisdiction: string;
  cap: number | null;
  from: string;
  to: string;
  days: Array<{ day: string; liveAnswers: number; abandoned: number; rate: number; restricted: boolean }>;
  rolling30Days: { liveAnswers: number; abandoned: number; restricted: boolean; cap: number | null };
  code?: string;
  errors?: FieldError[];
};

let server: TestServer;
const DAY_MS = 86_400_000;
const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
const day = (offset: number) => new Date(today.getTime() + offset * DAY_MS).toISOString().slice(0, 10);

before(async () => {
  // The server's clock stands at noon of `today`, so a run across midnight still agrees on it.
  const clock = new SteppedClock();
  clock.advance(today.getTime() + DAY_MS / 2 - Date.now());
  server = await startTestServer({ env: { PCONN_DIALER: 'off' }, clock });
  const created = await server.request('PUT', '/v1/campaigns/ledger', {
    body: { name: 'Ledger', jurisdiction: 'uk_ofcom' },
  });
  assert.equal(created.status, 201, created.text);
  // Yesterday: 40 live answers, 2 abandoned (5 % of a day: over Ofcom's daily 3 %).
  const db = server.store.db;
  const yesterday = today.getTime() - DAY_MS;
  for (let i = 0; i < 40; i++) {
    const id = `ledger-call-${i}`;
    const at = new Date(yesterday + 3_600_000 + i * 60_000);
    await insertCall(db, {
      ...waitingCall(id),
      tenant_id: 'default',
      kind: 'campaign',
      campaign_id: 'ledger',
    });
    await insertAttempt(db, {
      tenant_id: 'default',
      call_id: id,
      n: 1,
      user_id: 'u',
      started_at: at,
      driver: 'sandbox',
      decision: {},
    });
    const key = { tenantId: 'default', callId: id, n: 1 };
    await recordAttemptMedia(db, key, { contactAnsweredAt: at });
    await settleAttempt(db, key, {
      outcome: i < 2 ? 'abandoned' : 'answered',
      sipStatus: 200,
      sipReason: null,
      endedAt: new Date(at.getTime() + 30_000),
    });
  }
});
after(() => server.close());

describe('GET /v1/campaigns/{id}/abandonment', () => {
  test('the last 30 days by default, each day and the rolling window from the attempt rows', async () => {
    const answer = await server.request<Ledger>('GET', '/v1/campaigns/ledger/abandonment');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.jurisdiction, 'uk_ofcom');
    assert.equal(answer.body.cap, 0.03);
    assert.equal(answer.body.from, day(-29));
    assert.equal(answer.body.to, day(0));
    assert.equal(answer.body.days.length, 30);
    const yesterday = answer.body.days.find((d) => d.day === day(-1));
    assert.deepEqual(yesterday, {
      day: day(-1),
      liveAnswers: 40,
      abandoned: 2,
      rate: 0.05,
      cap: 0.03,
      restricted: true,
    });
    const todays = answer.body.days.at(-1);
    // Ofcom measures each day: today holds no abandon, so today is not restricted.
    assert.equal(todays?.restricted, false, JSON.stringify(todays));
    assert.equal(answer.body.rolling30Days.liveAnswers, 40);
    assert.equal(answer.body.rolling30Days.abandoned, 2);
  });

  test('bad days, a reversed range and a range over 400 days are 400s naming the parameter', async () => {
    const bad = await server.request<Ledger>(
      'GET',
      '/v1/campaigns/ledger/abandonment?from=2026-02-30&to=tomorrow',
    );
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.code, 'invalid_request');
    assert.match(JSON.stringify(bad.body.errors), /'to'/);
    const invalidDay = await server.request<Ledger>(
      'GET',
      '/v1/campaigns/ledger/abandonment?from=2026-02-30',
    );
    assert.equal(invalidDay.status, 400, invalidDay.text);
    assert.match(invalidDay.body.errors?.[0]?.detail ?? '', /'from': '2026-02-30' is not a calendar day/);
    const reversed = await server.request<Ledger>(
      'GET',
      '/v1/campaigns/ledger/abandonment?from=2026-03-02&to=2026-03-01',
    );
    assert.equal(reversed.status, 400, reversed.text);
    assert.match(reversed.body.errors?.[0]?.detail ?? '', /after 'to'/);
    const wide = await server.request<Ledger>(
      'GET',
      '/v1/campaigns/ledger/abandonment?from=2025-01-01&to=2026-02-05',
    );
    assert.equal(wide.status, 400, wide.text);
    assert.match(wide.body.errors?.[0]?.detail ?? '', /401 days asked; at most 400/);
    const exactly = await server.request<Ledger>(
      'GET',
      '/v1/campaigns/ledger/abandonment?from=2025-01-01&to=2026-02-04',
    );
    assert.equal(exactly.status, 200, exactly.text);
    assert.equal(exactly.body.days.length, 400);
    const unknown = await server.request<Ledger>('GET', '/v1/campaigns/ledger/abandonment?since=2026-01-01');
    assert.equal(unknown.status, 400, unknown.text);
  });

  test('an unknown campaign is 404; campaigns:read is needed', async () => {
    const missing = await server.request<Ledger>('GET', '/v1/campaigns/nope/abandonment');
    assert.equal(missing.status, 404, missing.text);
    const token = await server.tokenWithScopes(['calls:read']);
    const refused = await server.request<Ledger>('GET', '/v1/campaigns/ledger/abandonment', { token });
    assert.equal(refused.status, 403, refused.text);
    const reader = await server.tokenWithScopes(['campaigns:read']);
    assert.equal(
      (await server.request('GET', '/v1/campaigns/ledger/abandonment', { token: reader })).status,
      200,
    );
  });
});
