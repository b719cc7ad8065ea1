import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { magicNumberInWindowNow, waitForCallStatus } from '../support/calls.ts';
import { startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
type Problem = Json & {
  code: string;
  pointer?: string;
  errors?: Array<{ pointer: string; code: string; hint?: string }>;
};
let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01', PCONN_DIALER_POLL_MS: '20' } });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true, label: 'main' } });
  await server.request('PUT', '/v1/caller-ids/+14155550177', { body: { verified: false } });
  await server.request('PUT', '/v1/users/agent-a', {
    body: { name: 'Agent A', device: { type: 'sip', uri: 'sip:a@127.0.0.1' } },
  });
  await server.request('PUT', '/v1/users/agent-off', {
    body: { name: 'Off', status: 'disabled', device: { type: 'sip', uri: 'sip:off@127.0.0.1' } },
  });
  await server.request('PUT', '/v1/campaigns/live', {
    body: {
      name: 'Live',
      callerId: '+14155550100',
      agentIds: ['agent-a'],
      callingWindow: { start: '00:00', end: '00:00' },
      timezone: 'UTC',
      retryPolicy: { busy: { retry: true, gapSeconds: 0 }, minRedialGapSeconds: 0 },
    },
  });
  await server.request('POST', '/v1/campaigns/live/start');
  await server.request('PUT', '/v1/campaigns/draft', { body: { name: 'Draft', callerId: '+14155550100' } });
  await server.request('PUT', '/v1/contacts/ct-member', {
    body: {
      externalId: 'member',
      timezone: 'UTC',
      phoneNumbers: [
        { phoneType: 'mobile', number: '+12125550100' },
        { phoneType: 'work', number: '+12125550101' },
      ],
    },
  });
  await server.request('PUT', '/v1/contacts/ct-outsider', {
    body: { externalId: 'outsider', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
  });
  await server.request('POST', '/v1/campaigns/live/contacts', { body: { contactIds: ['ct-member'] } });
  // A campaign of its own for the batched accept tests.
  await startRunningCampaign(server, 'batchy', { agentIds: ['agent-a'] });
  await server.request('PUT', '/v1/contacts/ct-batch', {
    body: {
      externalId: 'batch',
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
    },
  });
  await server.request('POST', '/v1/campaigns/batchy/contacts', { body: { contactIds: ['ct-batch'] } });
});
after(() => server.close());

function expectProblem(
  res: { status: number; body: unknown; headers: Headers },
  status: number,
  code: string,
): Problem {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
  const problem = res.body as Problem;
  assert.equal(problem.code, code);
  return problem;
}

function waitForStatus(id: string, statuses: string[], timeoutMs = 10_000): Promise<Json> {
  return waitForCallStatus(server, id, statuses, timeoutMs);
}

describe('call error rows of the contract', () => {
  test('campaign_not_dialable carries the campaign status', async () => {
    const p = expectProblem(
      await server.request('POST', '/v1/campaigns/draft/calls', { body: { contactId: 'ct-member' } }),
      409,
      'campaign_not_dialable',
    );
    assert.equal(p.campaignStatus, 'draft');
    assert.equal(p.allowApiCalls, true);
    await server.request('PUT', '/v1/campaigns/no-api', { body: { name: 'No API', allowApiCalls: false } });
    await server.request('POST', '/v1/campaigns/no-api/start');
    const q = expectProblem(
      await server.request('POST', '/v1/campaigns/no-api/calls', { body: { contactId: 'ct-member' } }),
      409,
      'campaign_not_dialable',
    );
    assert.deepEqual([q.campaignStatus, q.allowApiCalls], ['running', false]);
  });
  test('unknown campaign is 404', async () => {
    expectProblem(
      await server.request('POST', '/v1/campaigns/ghost/calls', { body: { contactId: 'ct-member' } }),
      404,
      'not_found',
    );
  });
  test('contact_not_found and contact_not_in_campaign point at /contactId', async () => {
    assert.equal(
      expectProblem(
        await server.request('POST', '/v1/campaigns/live/calls', { body: { contactId: 'nobody' } }),
        422,
        'contact_not_found',
      ).pointer,
      '/contactId',
    );
    assert.equal(
      expectProblem(
        await server.request('POST', '/v1/campaigns/live/calls', { body: { contactId: 'ct-outsider' } }),
        422,
        'contact_not_in_campaign',
      ).pointer,
      '/contactId',
    );
  });
  test('phone_type_not_on_contact lists the available types', async () => {
    const p = expectProblem(
      await server.request('POST', '/v1/campaigns/live/calls', {
        body: { contactId: 'ct-member', phoneType: 'home' },
      }),
      422,
      'phone_type_not_on_contact',
    );
    assert.equal(p.pointer, '/phoneType');
    assert.deepEqual(p.availablePhoneTypes, ['mobile', 'work']);
  });
  test('user_not_found and user_unavailable point at /userId', async () => {
    assert.equal(
      expectProblem(
        await server.request('POST', '/v1/campaigns/live/calls', {
          body: { contactId: 'ct-member', userId: 'nobody' },
        }),
        422,
        'user_not_found',
      ).pointer,
      '/userId',
    );
    assert.equal(
      expectProblem(
        await server.request('POST', '/v1/campaigns/live/calls', {
          body: { contactId: 'ct-member', userId: 'agent-off' },
        }),
        422,
        'user_unavailable',
      ).pointer,
      '/userId',
    );
    assert.equal(
      expectProblem(
        await server.request('POST', '/v1/calls', { body: { userId: 'agent-off', to: '+12125550100' } }),
        422,
        'user_unavailable',
      ).pointer,
      '/userId',
    );
  });
  test('caller_id_not_verified points at /callerId', async () => {
    const p = expectProblem(
      await server.request('POST', '/v1/calls', {
        body: { userId: 'agent-a', to: '+12125550100', callerId: '+14155550177' },
      }),
      422,
      'caller_id_not_verified',
    );
    assert.equal(p.pointer, '/callerId');
  });
  test('call_blocked by the DNC list carries the decision; dry run says never', async () => {
    await server.request('PUT', '/v1/dnc/+12125550155', { body: { reason: 'asked not to be called' } });
    const blocked = expectProblem(
      await server.request('POST', '/v1/calls', { body: { userId: 'agent-a', to: '+12125550155' } }),
      422,
      'call_blocked',
    );
    const decision = blocked.decision as { outcome: string; rules: Array<{ rule: string; result: string }> };
    assert.equal(decision.outcome, 'refused');
    assert.ok(decision.rules.some((r) => r.rule === 'dnc' && r.result === 'fail'));
    const dry = await server.request<Json>('POST', '/v1/calls?dryRun=true', {
      body: { userId: 'agent-a', to: '+12125550155' },
    });
    assert.equal(dry.status, 200);
    assert.deepEqual([dry.body.allowed, dry.body.nextAllowedAt], [false, null]);
  });
  test('call_blocked by revoked consent', async () => {
    const res = await server.request('POST', '/v1/campaigns/live/calls', {
      body: {
        contact: {
          externalId: 'revoked',
          phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
          consent: { status: 'revoked', source: 'sms STOP' },
        },
      },
    });
    expectProblem(res, 422, 'call_blocked');
    const contact = await server.request<{ data: Json[] }>('GET', '/v1/contacts?externalId=revoked');
    assert.deepEqual(contact.body.data, [], 'a refused call leaves no inline contact behind');
  });
  test('outside_calling_window with outsideWindow=reject gives nextAllowedAt; schedule queues it', async () => {
    const start = new Date(Date.now() + 2 * 3600_000);
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    await server.request('PUT', '/v1/campaigns/later', {
      body: {
        name: 'Later',
        agentIds: ['agent-a'],
        callerId: '+14155550100',
        timezone: 'UTC',
        callingWindow: { start: hhmm(start), end: hhmm(new Date(start.getTime() + 3600_000)) },
      },
    });
    await server.request('POST', '/v1/campaigns/later/start');
    const body = {
      contact: {
        externalId: 'utc-person',
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
    };
    const p = expectProblem(
      await server.request('POST', '/v1/campaigns/later/calls', {
        body: { ...body, outsideWindow: 'reject' },
      }),
      422,
      'outside_calling_window',
    );
    const next = new Date(p.nextAllowedAt as string);
    assert.ok(
      Math.abs(next.getTime() - new Date(`${start.toISOString().slice(0, 16)}:00Z`).getTime()) < 60_000,
      `nextAllowedAt ${p.nextAllowedAt}`,
    );
    const scheduled = await server.request<Json>('POST', '/v1/campaigns/later/calls', { body });
    assert.equal(scheduled.status, 202, scheduled.text);
    assert.equal(scheduled.body.status, 'scheduled');
    assert.equal(scheduled.body.scheduledFor, next.toISOString());
  });
  test('a client-chosen call id already taken is 409 conflict, and the first call is untouched', async () => {
    const id = `call_takenid${Date.now()}`;
    const first = await server.request<Json>('POST', '/v1/calls', {
      // 'schedule': accepted at any hour (New York may be outside its calling window now).
      body: { id, userId: 'agent-a', to: '+12125550188', outsideWindow: 'schedule' },
    });
    assert.equal(first.status, 202, first.text);
    const again = await server.request<Json>('POST', '/v1/calls', {
      body: { id, userId: 'agent-a', to: '+12125550199', outsideWindow: 'schedule' },
    });
    expectProblem(again, 409, 'conflict');
    const stored = await server.request<Json>('GET', `/v1/calls/${id}`);
    assert.equal(stored.body.to, '+12125550188');
    const timeline = await server.request<{ data: Array<{ sequence: number }> }>(
      'GET',
      `/v1/calls/${id}/events`,
    );
    assert.equal(timeline.body.data.filter((e) => e.sequence === 1).length, 1, 'one first event');
  });
  test('exactly one of contactId and contact', async () => {
    expectProblem(
      await server.request('POST', '/v1/campaigns/live/calls', { body: {} }),
      400,
      'invalid_request',
    );
    expectProblem(
      await server.request('POST', '/v1/campaigns/live/calls', {
        body: { contactId: 'ct-member', contact: { externalId: 'x' } },
      }),
      400,
      'invalid_request',
    );
  });
});

describe('foreign payloads sent to the call routes get hints', () => {
  const cases: Array<[string, Json, string, RegExp]> = [
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', callType: 'preview' }, '/callType', /campaign/],
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', routing: {} }, '/routing', /userId/],
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', scriptId: 's' }, '/scriptId', /campaign/],
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', to: '+12125550100' }, '/to', /contact/],
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', from: '+14155550100' }, '/from', /callerId/],
    ['/v1/campaigns/live/calls', { contactSpec: { id: 'x' } }, '/contactSpec', /contactId/],
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', reasonCode: 'x' }, '/reasonCode', /reason/],
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', user: { id: 'agent-a' } }, '/user', /userId/],
    ['/v1/campaigns/live/calls', { contactId: 'ct-member', campaignId: 'live' }, '/campaignId', /path/],
    [
      '/v1/campaigns/live/calls',
      { contact: { externalId: 'p', phone: '+12125550100' } },
      '/contact/phone',
      /phoneNumbers/,
    ],
    ['/v1/calls', { userId: 'agent-a', callee: '+12125550100' }, '/callee', /\bto\b/],
    ['/v1/calls', { userId: 'agent-a', to: '+12125550100', campaignId: 'live' }, '/campaignId', /campaign/],
  ];
  for (const [path, body, pointer, hint] of cases) {
    test(`${path} ${pointer}`, async () => {
      const p = expectProblem(await server.request('POST', path, { body }), 400, 'invalid_request');
      const error = p.errors?.find((e) => e.pointer === pointer);
      assert.ok(error, JSON.stringify(p.errors));
      assert.equal(error.code, 'unknown_field');
      assert.match(error.hint ?? '', hint);
    });
  }
});

describe('placing calls through the sandbox', () => {
  test('queued → dialing_user → dialing_contact → connected → completed, with a timeline and attempt decision', async () => {
    const res = await server.request<Json>('POST', '/v1/campaigns/live/calls', {
      body: { contactId: 'ct-member', reason: 'renewal', metadata: { crmId: 42 } },
    });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.headers.get('location'), `/v1/calls/${res.body.id}`);
    assert.equal(res.body.status, 'queued');
    assert.equal(res.body.sandbox, true);
    const done = await waitForStatus(res.body.id as string, ['completed', 'failed']);
    assert.equal(done.status, 'completed');
    assert.equal(done.outcome, 'answered');
    assert.equal(done.userId, 'agent-a');
    const attempts = done.attempts as Array<Json>;
    assert.equal(attempts.length, 1);
    assert.equal((attempts[0]?.decision as Json | undefined)?.outcome, 'allowed');
    const events = await server.request<{
      data: Array<{
        type: string;
        sequence: number;
        data: { decision?: { outcome: string }; call?: { attempts: unknown } };
      }>;
    }>('GET', `/v1/calls/${res.body.id}/events`);
    assert.deepEqual(
      events.body.data.map((e) => e.type),
      ['call.queued', 'call.dialing_user', 'call.dialing_contact', 'call.connected', 'call.completed'],
    );
    assert.deepEqual(
      events.body.data.map((e) => e.sequence),
      [1, 2, 3, 4, 5],
    );
    // The last entry's call, attempts included (brought back by the status change itself), is the
    // call as read afterwards.
    assert.deepEqual(events.body.data.at(-1)?.data.call?.attempts, done.attempts);
    // The acceptance decision is the first entry's; the call row keeps no copy of any decision.
    assert.equal(events.body.data[0]?.data.decision?.outcome, 'allowed');
    const stored = await sql<{ decision: unknown }>`
      select decision from calls where id = ${res.body.id as string}`.execute(server.store.db);
    assert.deepEqual(stored.rows, [{ decision: null }]);
  });

  test('busy retries per the campaign policy up to maxAttemptsPerContact, keeping the SIP status', async () => {
    const res = await server.request<Json>('POST', '/v1/campaigns/live/calls', {
      body: { contactId: 'ct-member', phoneType: 'work' },
    });
    const done = await waitForStatus(res.body.id as string, ['failed', 'completed'], 20_000);
    assert.equal(done.status, 'failed');
    assert.equal(done.outcome, 'busy');
    const attempts = done.attempts as Array<Json>;
    assert.ok(attempts.length >= 1 && attempts.length <= 3);
    assert.ok(attempts.every((a) => a.outcome === 'busy' && a.sipStatus === 486));
  });

  test('direct calls, and cancelling a live call hangs it up', async () => {
    const res = await server.request<Json>('POST', '/v1/calls', {
      body: { userId: 'agent-a', to: magicNumberInWindowNow('0106'), outsideWindow: 'schedule' },
    });
    assert.equal(res.status, 202, res.text);
    await waitForStatus(res.body.id as string, ['connected']);
    const cancel = await server.request<Json>('POST', `/v1/calls/${res.body.id}/cancel`);
    assert.equal(cancel.status, 200);
    const done = await waitForStatus(res.body.id as string, ['canceled']);
    assert.equal(done.outcome, 'canceled');
    expectProblem(
      await server
        .request('POST', `/v1/calls/${res.body.id}/cancel`)
        .then(async (r) => (r.status === 200 ? await server.request('POST', '/v1/calls/nope/cancel') : r)),
      404,
      'not_found',
    );
  });

  test('a paused campaign dials nothing until resumed', async () => {
    await server.request('PUT', '/v1/campaigns/pausable', {
      body: {
        name: 'P',
        callerId: '+14155550100',
        agentIds: ['agent-a'],
        timezone: 'UTC',
        callingWindow: { start: '00:00', end: '00:00' },
      },
    });
    await server.request('POST', '/v1/campaigns/pausable/start');
    await server.request('POST', '/v1/campaigns/pausable/pause');
    const paused = expectProblem(
      await server.request('POST', '/v1/campaigns/pausable/calls', { body: { contactId: 'ct-member' } }),
      409,
      'campaign_not_dialable',
    );
    assert.equal(paused.campaignStatus, 'paused');
  });

  test('lists filter by campaign and status', async () => {
    const list = await server.request<{ data: Json[] }>('GET', '/v1/calls?campaignId=live&status=completed');
    assert.ok(list.body.data.length >= 1);
    assert.ok(list.body.data.every((c) => c.campaignId === 'live' && c.status === 'completed'));
  });
});

/**
 * 100 concurrent identical requests with one Idempotency-Key make exactly one call (the others
 * wait with 409 idempotency_in_flight), and a later replay answers the same call.
 */
async function expectOneCall(path: string, body: { reason: string } & Json, key: string): Promise<void> {
  const responses = await Promise.all(
    Array.from({ length: 100 }, () =>
      server.request<Json>('POST', path, { body, headers: { 'idempotency-key': key } }),
    ),
  );
  const ids = new Set(responses.filter((r) => r.status === 202).map((r) => r.body.id));
  assert.equal(ids.size, 1, `statuses: ${responses.map((r) => r.status).join(',')}`);
  assert.ok(
    responses.every(
      (r) => r.status === 202 || (r.status === 409 && (r.body as Problem).code === 'idempotency_in_flight'),
    ),
  );
  const calls = await server.store.db
    .selectFrom('calls')
    .select('id')
    .where('reason', '=', body.reason)
    .execute();
  assert.equal(calls.length, 1);
  const replay = await server.request<Json>('POST', path, { body, headers: { 'idempotency-key': key } });
  assert.equal(replay.status, 202);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.body.id, [...ids][0]);
}

describe('Idempotency-Key', () => {
  test('100 concurrent identical requests create exactly one call', async () => {
    const key = `idem-${Date.now()}`;
    const body = {
      contact: {
        externalId: 'idem-person',
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
      },
      reason: 'idempotent',
    };
    await expectOneCall('/v1/campaigns/live/calls', body, key);
    const reused = await server.request('POST', '/v1/campaigns/live/calls', {
      body: { ...body, reason: 'different' },
      headers: { 'idempotency-key': key },
    });
    expectProblem(reused, 422, 'idempotency_key_reused');
  });

  test('the batched accept path: 100 concurrent identical contactId requests with one key make one call', async () => {
    const key = `idem-batch-${Date.now()}`;
    await expectOneCall(
      '/v1/campaigns/batchy/calls',
      { contactId: 'ct-batch', reason: 'idempotent-batch' },
      key,
    );
  });
});

describe('batched accept path', () => {
  test('concurrent requests in one batch each get their own answer, stored for their own key', async () => {
    const stamp = Date.now();
    const requests = Array.from({ length: 60 }, (_, i) => {
      const kind = i % 3;
      const body =
        kind === 0
          ? { contactId: 'ct-batch', reason: 'batch-ok' }
          : kind === 1
            ? { contactId: 'ct-outsider', reason: 'batch-outsider' }
            : { contactId: 'ct-batch', id: `call_batchdup${stamp}`, reason: 'batch-dup' };
      return server.request<Json>('POST', '/v1/campaigns/batchy/calls', {
        body,
        headers: { 'idempotency-key': `batch-${stamp}-${i}` },
      });
    });
    const responses = await Promise.all(requests);
    const byKind = [0, 1, 2].map((k) => responses.filter((_, i) => i % 3 === k));
    const unexpected = (byKind[0] ?? []).filter(
      (r) => r.status !== 202 || r.headers.get('location') !== `/v1/calls/${r.body.id}`,
    );
    assert.deepEqual(
      unexpected.map((r) => `${r.status} ${r.headers.get('location')} ${r.text.slice(0, 300)}`),
      [],
    );
    for (const r of byKind[1] ?? []) expectProblem(r, 422, 'contact_not_in_campaign');
    const dup = byKind[2] ?? [];
    assert.equal(dup.filter((r) => r.status === 202).length, 1, dup.map((r) => r.status).join(','));
    for (const r of dup.filter((r) => r.status !== 202)) expectProblem(r, 409, 'conflict');
    // Each key replays its own answer, problems included.
    const replayed = await server.request<Json>('POST', '/v1/campaigns/batchy/calls', {
      body: { contactId: 'ct-outsider', reason: 'batch-outsider' },
      headers: { 'idempotency-key': `batch-${stamp}-1` },
    });
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
    expectProblem(replayed, 422, 'contact_not_in_campaign');
    const created = await server.store.db
      .selectFrom('calls')
      .select(['id', 'event_sequence'])
      .where('reason', 'in', ['batch-ok', 'batch-dup'])
      .execute();
    assert.equal(created.length, 21);
    const events = await server.store.db
      .selectFrom('call_events')
      .select(['call_id', 'sequence', 'type'])
      .where(
        'call_id',
        'in',
        created.map((c) => c.id),
      )
      .where('sequence', '=', 1)
      .execute();
    assert.equal(events.length, 21);
    // Accepted calls start queued, or scheduled when an earlier call to the same contact was
    // dialled less than the redial gap ago. A message, not a bare assert.ok: Node builds the
    // latter's message by re-reading this file, which hung the run under tsx's transform.
    const firsts = events
      .map((e) => e.type)
      .filter((type) => type !== 'call.queued' && type !== 'call.scheduled');
    assert.deepEqual(firsts, [], 'every accepted call starts queued or scheduled');
  });
});

describe('DNC bulk import', () => {
  test('all-or-nothing with line numbers, then the imported numbers are blocked', async () => {
    const bad = await server.request<Json>('POST', '/v1/dnc/import', {
      rawBody: 'number,reason\n+12125550161,asked\n2125550162,typo\n+12125550163,\n',
      headers: { 'content-type': 'text/csv' },
    });
    assert.equal(bad.status, 422, bad.text);
    const errors = (bad.body as Problem).errors as Array<{
      line: number;
      pointer: string;
      code: string;
      hint?: string;
    }>;
    assert.deepEqual(
      errors.map((e) => [e.line, e.pointer, e.code]),
      [[3, '/number', 'invalid_phone_number']],
    );
    assert.match(errors[0]?.hint ?? '', /\+12125550162/);
    const listed = await server.request<{ data: Json[] }>('GET', '/v1/dnc?limit=200');
    assert.ok(!listed.body.data.some((e) => e.number === '+12125550161'), 'nothing imported');
    const good = await server.request<Json>('POST', '/v1/dnc/import', {
      rawBody: `${JSON.stringify({ number: '+12125550161', reason: 'asked' })}\n${JSON.stringify({ number: '+12125550162' })}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    assert.equal(good.status, 200, good.text);
    assert.deepEqual(good.body, { rows: 2, added: 2, updated: 0 });
    expectProblem(
      await server.request('POST', '/v1/calls', { body: { userId: 'agent-a', to: '+12125550162' } }),
      422,
      'call_blocked',
    );
  });
});
