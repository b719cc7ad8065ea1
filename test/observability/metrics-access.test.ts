import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PconnMetrics } from '../../src/observability/metrics.ts';
import type { TransactionEvent } from '../../src/telephony/sip/user-agent/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { parsePrometheus, sampleValue } from './prometheus-text.ts';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
let guarded: TestServer;
let off: TestServer;

before(async () => {
  [guarded, off] = await Promise.all([
    startTestServer({ env: { PCONN_METRICS: 'token', PCONN_METRICS_TOKEN: METRICS_TOKEN } }),
    startTestServer({ env: { PCONN_METRICS: 'off' } }),
  ]);
});
after(() => Promise.all([guarded.close(), off.close()]));

function scrape(server: TestServer, authorization?: string) {
  return fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
}

describe('PCONN_METRICS access modes', () => {
  test('token: the static token or an admin access token; anything else is a problem+json 401/403', async () => {
    const none = await scrape(guarded);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal(((await none.json()) as { code: string }).code, 'missing_token');
    assert.equal((await scrape(guarded, 'Bearer not-the-token')).status, 401);
    const byStatic = await scrape(guarded, `Bearer ${METRICS_TOKEN}`);
    assert.equal(byStatic.status, 200);
    assert.match(await byStatic.text(), /pconn_http_requests_total/);
    assert.equal((await scrape(guarded, `Bearer ${await guarded.adminToken()}`)).status, 200);
    const reader = await guarded.tokenWithScopes(['calls:read']);
    const forbidden = await scrape(guarded, `Bearer ${reader}`);
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { code: string }).code, 'insufficient_scope');
  });

  test('off: there is no /metrics route', async () => {
    assert.equal((await scrape(off)).status, 404);
    assert.equal((await fetch(`${off.url}/healthz`)).status, 200);
  });
});

describe('hooks for the webhook relay and the SIP stack', () => {
  test('webhookDelivered counts by result and observes the lag; no endpoint label', async () => {
    const metrics = new PconnMetrics();
    metrics.webhookDelivered('wh-1', true, 0.2);
    metrics.webhookDelivered('wh-2', false, 3);
    metrics.webhookDelivered('wh-1', true, 0.05);
    const samples = parsePrometheus((await metrics.render()).body);
    assert.equal(sampleValue(samples, 'pconn_webhook_deliveries_total', { result: 'ok' }), 2);
    assert.equal(sampleValue(samples, 'pconn_webhook_deliveries_total', { result: 'failed' }), 1);
    assert.equal(sampleValue(samples, 'pconn_webhook_delivery_lag_seconds_count'), 3);
    assert.equal(sampleValue(samples, 'pconn_webhook_delivery_lag_seconds_bucket', { le: '0.25' }), 2);
    assert.ok(samples.every((s) => s.labels.endpointId === undefined));
  });

  test('the SIP transaction observer counts transactions, retransmissions and timeouts by method', async () => {
    const metrics = new PconnMetrics();
    // Type-checked against the SIP stack's own hook: it can be passed as `onTransactionEvent`.
    const observe: (event: TransactionEvent) => void = metrics.sip.observe;
    observe({ kind: 'created', method: 'INVITE', role: 'client' });
    observe({ kind: 'created', method: 'INVITE', role: 'server' });
    observe({ kind: 'created', method: 'BYE', role: 'client' });
    observe({ kind: 'retransmit', method: 'INVITE', role: 'client' });
    observe({ kind: 'timeout', method: 'INVITE', role: 'client' });
    observe({ kind: 'created', method: 'X-MADE-UP', role: 'server' });
    const samples = parsePrometheus((await metrics.render()).body);
    assert.equal(sampleValue(samples, 'pconn_sip_transactions_total', { method: 'INVITE' }), 2);
    assert.equal(
      sampleValue(samples, 'pconn_sip_transactions_total', { method: 'INVITE', role: 'server' }),
      1,
    );
    assert.equal(sampleValue(samples, 'pconn_sip_transactions_total', { method: 'BYE' }), 1);
    assert.equal(sampleValue(samples, 'pconn_sip_transactions_total', { method: 'other' }), 1);
    assert.equal(sampleValue(samples, 'pconn_sip_retransmissions_total', { method: 'INVITE' }), 1);
    assert.equal(sampleValue(samples, 'pconn_sip_transaction_timeouts_total', { method: 'INVITE' }), 1);
  });

  test('two nodes in one process keep separate registries', async () => {
    const a = new PconnMetrics();
    const b = new PconnMetrics();
    a.callsAccepted(2);
    assert.equal(sampleValue(parsePrometheus((await a.render()).body), 'pconn_calls_accepted_total'), 2);
    assert.equal(sampleValue(parsePrometheus((await b.render()).body), 'pconn_calls_accepted_total'), 0);
  });
});
