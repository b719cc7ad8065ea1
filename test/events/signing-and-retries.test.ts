import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.ts';
import { parseEventId, toEventEnvelope } from '../../src/events/event-envelope.ts';
import { retryDelayMs } from '../../src/events/retry-delay.ts';
import { signingSecrets, signWebhook } from '../../src/events/webhook-signer.ts';
import { newWebhookSecret } from '../../src/service/resources/webhooks.ts';

describe('signing, retry schedule, envelope', () => {
  test('the previous secret signs only until its overlap ends', () => {
    const endpoint = {
      secret: newWebhookSecret(),
      previousSecret: newWebhookSecret(),
      previousSecretUntil: '2030-01-01T00:00:00.000Z',
    };
    assert.equal(signingSecrets(endpoint, new Date('2029-12-31T23:59:59Z')).length, 2);
    assert.deepEqual(signingSecrets(endpoint, new Date('2030-01-01T00:00:01Z')), [endpoint.secret]);
    assert.deepEqual(
      signingSecrets({ ...endpoint, previousSecret: null, previousSecretUntil: null }, new Date()),
      [endpoint.secret],
    );
  });

  test('signatures verify with the standardwebhooks package', () => {
    const secret = newWebhookSecret();
    const payload = JSON.stringify({ id: 'evt_1' });
    const headers = signWebhook([secret], 'evt_1', new Date(), payload);
    assert.equal(headers['webhook-id'], 'evt_1');
    assert.deepEqual(new StandardWebhook(secret).verify(payload, { ...headers }), { id: 'evt_1' });
    assert.throws(() => new StandardWebhook(newWebhookSecret()).verify(payload, { ...headers }));
  });

  test('retries follow the schedule with ±20 % jitter and stop when it is exhausted', () => {
    const schedule = [5000, 300_000];
    assert.equal(
      retryDelayMs(schedule, 0, () => 0.5),
      5000,
    );
    assert.equal(
      retryDelayMs(schedule, 1, () => 0),
      240_000,
    );
    assert.equal(
      retryDelayMs(schedule, 1, () => 1),
      360_000,
    );
    assert.equal(retryDelayMs(schedule, 2), undefined);
  });

  test('the default schedule spans about a day; the variable takes units', () => {
    const defaults = loadConfig({}).events.webhookRetrySchedule;
    const total = defaults.reduce((a, b) => a + b, 0);
    assert.ok(total > 20 * 3600_000 && total < 36 * 3600_000, `${total / 3600_000} h`);
    assert.deepEqual(
      loadConfig({ PCONN_WEBHOOK_RETRY_SCHEDULE: '250ms,2,1m,1h' }).events.webhookRetrySchedule,
      [250, 2000, 60_000, 3600_000],
    );
    assert.throws(
      () => loadConfig({ PCONN_WEBHOOK_RETRY_SCHEDULE: '5 minutes' }),
      /PCONN_WEBHOOK_RETRY_SCHEDULE/,
    );
  });

  test('event ids and envelopes', () => {
    assert.equal(parseEventId('evt_42'), 42);
    assert.equal(parseEventId('42'), 42);
    assert.equal(parseEventId('evt_x'), undefined);
    assert.deepEqual(
      toEventEnvelope({ id: '7', type: 'call.queued', at: new Date(0), sequence: 1, data: { call: {} } }),
      {
        id: 'evt_7',
        type: 'call.queued',
        timestamp: '1970-01-01T00:00:00.000Z',
        sequence: 1,
        data: { call: {} },
      },
    );
  });
});
