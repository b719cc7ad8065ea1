import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { hasSample, parsePrometheus, type Sample, sampleValue } from './prometheus-text.ts';

type Json = Record<string, unknown>;
const CALLS_ROUTE = '/v1/campaigns/:campaignId/calls';
let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01', PCONN_DIALER_POLL_MS: '20' } });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  for (const id of ['agent-1', 'agent-2', 'agent-3'])
    await server.request('PUT', `/v1/users/${id}`, {
      body: { name: id, device: { type: 'sip', uri: `sip:${id}@127.0.0.1` } },
    });
  await server.request('PUT', '/v1/campaigns/metrics', {
    body: {
      name: 'Metrics',
      callerId: '+14155550100',
      agentIds: ['agent-1', 'agent-2', 'agent-3'],
      callingWindow: { start: '00:00', end: '00:00' },
      timezone: 'UTC',
      maxAttemptsPerContact: 1,
    },
  });
  await server.request('POST', '/v1/campaigns/metrics/start');
  await server.request('PUT', '/v1/campaigns/idle', { body: { name: 'Idle', callerId: '+14155550100' } });
});
after(() => server.close());

async function scrape(): Promise<{ samples: Sample[]; contentType: string }> {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  return { samples: parsePrometheus(await res.text()), contentType: res.headers.get('content-type') ?? '' };
}

function placeCall(externalId: string, number: string) {
  return server.request<Json>('POST', '/v1/campaigns/metrics/calls', {
    body: { contact: { externalId, timezone: 'UTC', phoneNumbers: [{ phoneType: 'mobile', number }] } },
  });
}

describe('GET /metrics', () => {
  test('counters and histograms match the sandbox calls placed', async () => {
    const n = 3;
    const accepted = await Promise.all(
      Array.from({ length: n }, (_, i) => placeCall(`answer-${i}`, '+12125550100')),
    );
    for (const res of accepted) assert.equal(res.status, 202, res.text);
    for (const res of accepted) {
      const done = await waitForCallStatus(server, res.body.id as string, ['completed', 'failed']);
      assert.equal(done.status, 'completed');
    }
    const busy = await placeCall('busy', '+12125550101');
    assert.equal(busy.status, 202, busy.text);
    assert.equal(
      (await waitForCallStatus(server, busy.body.id as string, ['completed', 'failed'])).status,
      'failed',
    );

    // Tracing is off here: nothing is stored for it.
    const row = await server.store.db
      .selectFrom('calls')
      .select('trace_context')
      .where('id', '=', busy.body.id as string)
      .executeTakeFirstOrThrow();
    assert.equal(row.trace_context, null);

    const { samples, contentType } = await scrape();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const post = { route: CALLS_ROUTE, method: 'POST', status: '202' };
    assert.equal(sampleValue(samples, 'pconn_calls_accepted_total'), n + 1);
    assert.equal(sampleValue(samples, 'pconn_http_requests_total', post), n + 1);
    assert.equal(sampleValue(samples, 'pconn_http_request_duration_seconds_count', post), n + 1);
    assert.equal(
      sampleValue(samples, 'pconn_http_request_duration_seconds_bucket', { ...post, le: '+Inf' }),
      n + 1,
    );
    assert.ok(sampleValue(samples, 'pconn_http_request_duration_seconds_sum', post) > 0);
    // Route templates only: no raw URL (with ids) ever becomes a label.
    assert.ok(samples.every((s) => !s.labels.route?.includes('/v1/calls/call_')));

    assert.equal(
      sampleValue(samples, 'pconn_calls_finished_total', { status: 'completed', outcome: 'answered' }),
      n,
    );
    assert.equal(
      sampleValue(samples, 'pconn_calls_finished_total', { status: 'failed', outcome: 'busy' }),
      1,
    );
    assert.equal(sampleValue(samples, 'pconn_call_transitions_total', { status: 'dialing_user' }), n + 1);
    assert.equal(sampleValue(samples, 'pconn_call_transitions_total', { status: 'connected' }), n);
    assert.equal(sampleValue(samples, 'pconn_call_attempts_total', { outcome: 'answered' }), n);
    assert.equal(sampleValue(samples, 'pconn_call_attempts_total', { outcome: 'busy' }), 1);
    assert.equal(sampleValue(samples, 'pconn_call_accept_to_first_dial_seconds_count'), n + 1);
    assert.equal(sampleValue(samples, 'pconn_call_accept_to_connect_seconds_count'), n);
    assert.equal(sampleValue(samples, 'pconn_call_accept_to_connect_seconds_bucket', { le: '+Inf' }), n);
    assert.equal(sampleValue(samples, 'pconn_active_calls'), 0);
    assert.equal(sampleValue(samples, 'pconn_call_queue_depth', { status: 'queued' }), 0);
    // Default process metrics are in the node's registry too.
    assert.ok(hasSample(samples, 'process_cpu_user_seconds_total'));
    assert.ok(hasSample(samples, 'nodejs_eventloop_lag_seconds'));
  });

  test('refused requests are counted by status, and the queue depth is read from the store', async () => {
    const before = sampleValue((await scrape()).samples, 'pconn_http_requests_total', {
      route: CALLS_ROUTE,
      status: '409',
    });
    const refused = await server.request<Json>('POST', '/v1/campaigns/idle/calls', {
      body: { contact: { externalId: 'x', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] } },
    });
    assert.equal(refused.status, 409);
    const later = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = await server.request<Json>('POST', '/v1/campaigns/metrics/calls', {
      body: {
        contact: { externalId: 'later', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
        notBefore: later,
      },
    });
    assert.equal(scheduled.status, 202, scheduled.text);
    assert.equal(scheduled.body.status, 'scheduled');

    const { samples } = await scrape();
    const refusedCount = sampleValue(samples, 'pconn_http_requests_total', {
      route: CALLS_ROUTE,
      status: '409',
    });
    assert.equal(refusedCount, before + 1);
    assert.equal(sampleValue(samples, 'pconn_call_queue_depth', { status: 'scheduled' }), 1);
    assert.equal(sampleValue(samples, 'pconn_call_queue_depth', { status: 'due' }), 0);
    assert.equal((await server.request('POST', `/v1/calls/${scheduled.body.id}/cancel`)).status, 200);
    const after = await scrape();
    assert.equal(sampleValue(after.samples, 'pconn_call_queue_depth', { status: 'scheduled' }), 0);
  });

  test('unmatched URLs share one label instead of one series per URL', async () => {
    await fetch(`${server.url}/no/such/path/1`);
    await fetch(`${server.url}/no/such/path/2`);
    const { samples } = await scrape();
    assert.equal(
      sampleValue(samples, 'pconn_http_requests_total', { route: '(unmatched)', status: '404' }),
      2,
    );
  });
});
