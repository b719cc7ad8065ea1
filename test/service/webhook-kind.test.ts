import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/domain/pconn-error.ts';
import type { RequestContext } from '../../src/domain/request-context.ts';
import { type StoredWebhook, webhookKind } from '../../src/service/resources/webhooks.ts';

const ctx = { now: new Date('2026-01-01T00:00:00Z') } as RequestContext;
const kind = webhookKind({ allowPrivate: false });

/** A document saved while a looser rule (or PCONN_WEBHOOK_ALLOW_PRIVATE=1) was in force. */
const saved: StoredWebhook = {
  url: 'http://10.0.0.1/hook',
  events: ['*'],
  description: null,
  enabled: true,
  secret: 'whsec_x',
  previousSecret: null,
  previousSecretUntil: null,
};

describe('webhook endpoint kind', () => {
  test('an endpoint whose stored URL is now refused can still be disabled without changing it', async () => {
    const stored = await kind.toStored(ctx, { url: saved.url, enabled: false }, saved, undefined as never);
    assert.equal(stored.enabled, false);
  });

  test('a new or changed URL is checked', () => {
    assert.throws(
      () => kind.toStored(ctx, { url: 'http://10.0.0.2/hook' }, saved, undefined as never),
      (error: unknown) =>
        error instanceof InvalidInputError && /10\.0\.0\.0\/8 \(Private-Use/.test(JSON.stringify(error)),
    );
  });
});
