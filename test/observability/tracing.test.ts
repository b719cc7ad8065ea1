import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createPconn, type Pconn } from '../../src/main.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';
import type { TestServer } from '../support/test-server.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.ts';

type Json = Record<string, unknown>;
const SERVER = 2; // OTLP SpanKind numbering: 1 internal, 2 server, 3 client
const CLIENT = 3;
const ERROR = 2;

let receiver: OtlpReceiver;
let pconn: Pconn;
let store: Store;
let url: string;
let token: string;
const logs: Json[] = [];

async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json, text };
}

before(async () => {
  receiver = await startOtlpReceiver();
  store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  const secret = randomBytes(24).toString('base64url');
  const config = loadConfig({
    PORT: '0',
    PCONN_BOOTSTRAP_CLIENT_ID: 'trace-admin',
    PCONN_BOOTSTRAP_CLIENT_SECRET: secret,
    PCONN_SANDBOX_TIME_SCALE: '0.01',
    PCONN_DIALER_POLL_MS: '20',
    PCONN_SIP_ALLOW_DESTINATIONS: '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
    PCONN_AGENT_RING_SECONDS: '600',
    PCONN_CONTACT_RING_SECONDS: '600',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_HEADERS: 'api-key=test%20license,x-extra=1',
    OTEL_SERVICE_NAME: 'pconn-test',
  });
  // Logs are captured to check the structured failure lines.
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line) as Json) },
  );
  pconn = await createPconn(config, { store, logger });
  await pconn.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(pconn.app.server.address() as AddressInfo).port}`;
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'trace-admin',
    client_secret: secret,
  });
  token = ((await (await fetch(`${url}/oauth/token`, { method: 'POST', body: form })).json()) as Json)
    .access_token as string;
  await request('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  await request('PUT', '/v1/users/agent-t', { name: 'T', device: { type: 'sip', uri: 'sip:t@127.0.0.1' } });
  await request('PUT', '/v1/campaigns/traced', {
    name: 'Traced',
    callerId: '+14155550100',
    agentIds: ['agent-t'],
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
    maxAttemptsPerContact: 1,
  });
  await request('POST', '/v1/campaigns/traced/start');
  await request('PUT', '/v1/campaigns/drafty', { name: 'Drafty', callerId: '+14155550100' });
});
after(async () => {
  await pconn.close();
  await store.close();
  await receiver.close();
});

function contactCall(externalId: string, number: string) {
  return { contact: { externalId, timezone: 'UTC', phoneNumbers: [{ phoneType: 'mobile', number }] } };
}

function one(spans: ReceivedSpan[], what: string, predicate: (s: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(predicate);
  assert.equal(found.length, 1, `${what}: ${found.length} spans; got ${spans.map((s) => s.name).join(', ')}`);
  return found[0] as ReceivedSpan;
}

describe('OpenTelemetry traces over OTLP/HTTP', () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  let callId = '';
  let requestId = '';
  let rejectedRequestId = '';
  let failedCallId = '';
  let blockedCallId = '';

  test('a sandbox call, a refused request and a failed call, then shutdown flushes the spans', async () => {
    const res = await request('POST', '/v1/campaigns/traced/calls', contactCall('ok', '+12125550100'), {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
    });
    assert.equal(res.status, 202, res.text);
    callId = res.body.id as string;
    requestId = res.headers.get('x-request-id') ?? '';
    const server = { request: (m: string, p: string) => request(m, p) } as unknown as TestServer;
    assert.equal((await waitForCallStatus(server, callId, ['completed', 'failed'])).status, 'completed');

    const refused = await request('POST', '/v1/campaigns/drafty/calls', contactCall('no', '+12125550100'));
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'campaign_not_dialable');
    rejectedRequestId = refused.headers.get('x-request-id') ?? '';

    const busy = await request('POST', '/v1/campaigns/traced/calls', contactCall('busy', '+12125550101'));
    failedCallId = busy.body.id as string;
    assert.equal((await waitForCallStatus(server, failedCallId, ['completed', 'failed'])).status, 'failed');

    // Accepted for later, then the number goes on the DNC list: blocked when the dialer re-checks.
    const dnc = await request('POST', '/v1/campaigns/traced/calls', {
      ...contactCall('dnc', '+12125550109'),
      notBefore: new Date(Date.now() + 1500).toISOString(),
    });
    assert.equal(dnc.body.status, 'scheduled', dnc.text);
    blockedCallId = dnc.body.id as string;
    assert.equal((await request('PUT', '/v1/dnc/+12125550109', { reason: 'asked' })).status < 300, true);
    assert.equal(
      (await waitForCallStatus(server, blockedCallId, ['blocked', 'completed', 'failed'])).status,
      'blocked',
    );

    const row = await store.db
      .selectFrom('calls')
      .select('trace_context')
      .where('id', '=', callId)
      .executeTakeFirstOrThrow();
    assert.match(row.trace_context ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    await pconn.close();
    assert.ok(receiver.spans.length > 0, 'no spans exported on shutdown');
    assert.equal(receiver.requests[0]?.['api-key'], 'test license');
    assert.equal(receiver.requests[0]?.['x-extra'], '1');
  });

  test('HTTP request → call.create → call.attempt → dial (agent, contact) share one trace', () => {
    const spans = receiver.spans;
    assert.ok(spans.every((s) => s.resource['service.name'] === 'pconn-test'));
    const http = one(spans, 'server span', (s) => s.attributes['pconn.request.id'] === requestId);
    assert.equal(http.kind, SERVER);
    assert.equal(http.name, 'POST /v1/campaigns/:campaignId/calls');
    assert.equal(http.traceId, traceId, 'the incoming traceparent is honoured');
    assert.equal(http.parentSpanId, callerSpanId);
    assert.equal(http.attributes['http.route'], '/v1/campaigns/:campaignId/calls');
    assert.equal(http.attributes['http.response.status_code'], 202);
    assert.equal(http.attributes['pconn.tenant.id'], 'default');
    assert.equal(http.attributes['pconn.campaign.id'], 'traced');

    const create = one(
      spans,
      'call.create',
      (s) => s.name === 'call.create' && s.parentSpanId === http.spanId,
    );
    assert.equal(create.attributes['pconn.call.id'], callId);
    const attempt = one(
      spans,
      'call.attempt',
      (s) => s.name === 'call.attempt' && s.attributes['pconn.call.id'] === callId,
    );
    assert.equal(attempt.parentSpanId, create.spanId);
    assert.equal(attempt.attributes['pconn.attempt'], 1);
    assert.equal(attempt.attributes['pconn.call.outcome'], 'answered');
    const dials = spans.filter((s) => s.name === 'dial' && s.parentSpanId === attempt.spanId);
    assert.deepEqual(dials.map((s) => s.attributes['pconn.leg']).sort(), ['agent', 'contact']);
    assert.ok(dials.every((s) => s.kind === CLIENT));
    for (const span of [http, create, attempt, ...dials]) assert.equal(span.traceId, traceId, span.name);
  });

  test('a campaign_not_dialable refusal carries the code and the campaign status', () => {
    const http = one(
      receiver.spans,
      'refused server span',
      (s) => s.attributes['pconn.request.id'] === rejectedRequestId,
    );
    assert.equal(http.attributes['http.response.status_code'], 409);
    assert.equal(http.attributes['pconn.error.code'], 'campaign_not_dialable');
    assert.equal(http.attributes['pconn.campaign.status'], 'draft');
    const create = one(receiver.spans, 'refused call.create', (s) => s.parentSpanId === http.spanId);
    assert.equal(create.status.code, ERROR);
    const event = create.events.find((e) => e.name === 'pconn.call.rejected');
    assert.deepEqual(event?.attributes, {
      'pconn.error.code': 'campaign_not_dialable',
      'pconn.campaign.status': 'draft',
    });
    const line = logs.find((l) => l.event === 'call.rejected');
    assert.equal(line?.code, 'campaign_not_dialable');
    assert.equal(line?.campaignStatus, 'draft');
    assert.equal(line?.requestId, rejectedRequestId);
  });

  test('a failed call is an error span with its outcome and the campaign status, and a log line', () => {
    const attempt = one(
      receiver.spans,
      'failed attempt',
      (s) => s.name === 'call.attempt' && s.attributes['pconn.call.id'] === failedCallId,
    );
    assert.equal(attempt.status.code, ERROR);
    assert.equal(attempt.attributes['pconn.error.code'], 'call_failed');
    assert.equal(attempt.attributes['pconn.campaign.status'], 'running');
    const event = attempt.events.find((e) => e.name === 'pconn.call.failed');
    assert.equal(event?.attributes['pconn.call.outcome'], 'busy');
    assert.equal(event?.attributes['pconn.sip.status'], 486);
    const line = logs.find((l) => l.event === 'call.failed' && l.callId === failedCallId);
    assert.equal(line?.campaignStatus, 'running');
    assert.equal(line?.outcome, 'busy');
    assert.equal(line?.sipStatus, 486);
  });

  test('a call blocked at dial time gets a call.blocked error span in its trace, and a log line', () => {
    const span = one(
      receiver.spans,
      'call.blocked',
      (s) => s.name === 'call.blocked' && s.attributes['pconn.call.id'] === blockedCallId,
    );
    assert.equal(span.status.code, ERROR);
    assert.equal(span.attributes['pconn.error.code'], 'call_blocked');
    assert.equal(span.attributes['pconn.campaign.status'], 'running');
    const create = one(receiver.spans, 'its call.create', (s) => s.spanId === span.parentSpanId);
    assert.equal(create.attributes['pconn.call.id'], blockedCallId);
    const line = logs.find((l) => l.event === 'call.blocked' && l.callId === blockedCallId);
    assert.equal(line?.campaignStatus, 'running');
  });
});
