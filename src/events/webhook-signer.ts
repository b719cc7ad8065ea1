import { Webhook as StandardWebhook } from 'standardwebhooks';

/** The headers of one signed delivery attempt (Standard Webhooks). */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs `payload` with every secret given, per Standard Webhooks: `webhook-id` stays the event
 * id across retries, `webhook-timestamp` is the attempt's time, and `webhook-signature` lists
 * one `v1,<base64>` per secret separated by spaces — during a rotation's overlap the old and
 * the new secret both sign, so a receiver holding either verifies.
 */
export function signWebhook(
  secrets: readonly string[],
  messageId: string,
  at: Date,
  payload: string,
): SignedHeaders {
  const signatures = secrets.map((secret) => new StandardWebhook(secret).sign(messageId, at, payload));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** The secrets that sign now: the current one, plus the previous one while its overlap lasts. */
export function signingSecrets(
  endpoint: { secret: string; previousSecret: string | null; previousSecretUntil: string | null },
  now: Date,
): string[] {
  const previousValid =
    endpoint.previousSecret !== null &&
    endpoint.previousSecretUntil !== null &&
    new Date(endpoint.previousSecretUntil).getTime() > now.getTime();
  return previousValid ? [endpoint.secret, endpoint.previousSecret as string] : [endpoint.secret];
}
