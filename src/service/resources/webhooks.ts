import { randomBytes } from 'node:crypto';
import type { Webhook, WebhookInput } from '../../contract/telephony-config.ts';
import { isPrivateHost } from '../../domain/private-host.ts';
import { FieldErrors } from '../field-errors.ts';
import type { ResourceKind } from './resource-kind.ts';

/** A webhook endpoint document as stored, with its signing secrets. */
export interface StoredWebhook {
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  secret: string;
  /** The secret replaced by the last rotation, still signed with until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: string | null;
}

// After a rotation deliveries carry signatures with both secrets for a day, so receivers can
// switch over without dropping events.
const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Webhook endpoints; the secret is shown only when created or rotated. */
export function webhookKind(options: {
  allowPrivate: boolean;
  /** How long a rotated-out secret keeps signing (PCONN_WEBHOOK_SECRET_OVERLAP_SECONDS). */
  secretOverlapMs?: number;
}): ResourceKind<WebhookInput, StoredWebhook, Webhook> {
  const overlapMs = options.secretOverlapMs ?? ROTATION_OVERLAP_MS;
  return {
    name: 'webhook endpoint',
    table: 'webhook_endpoints',
    idKind: 'webhook',
    toStored(ctx, input, existing) {
      const errors = new FieldErrors();
      if (!options.allowPrivate && isPrivateHost(new URL(input.url).hostname)) {
        errors.add(
          '/url',
          'format',
          'Webhook URLs must not point at private or loopback addresses.',
          'Set PCONN_WEBHOOK_ALLOW_PRIVATE=1 on the server to allow them (e.g. for local testing).',
        );
      }
      errors.throwIfAny('The webhook endpoint has invalid fields.');
      const rotate = input.rotateSecret === true && existing !== undefined;
      return {
        url: input.url,
        events: input.events ?? ['*'],
        description: input.description ?? null,
        enabled: input.enabled ?? true,
        secret: existing && !rotate ? existing.secret : newWebhookSecret(),
        previousSecret: rotate ? existing.secret : (existing?.previousSecret ?? null),
        previousSecretUntil: rotate
          ? new Date(ctx.now.getTime() + overlapMs).toISOString()
          : (existing?.previousSecretUntil ?? null),
      };
    },
    toInput(stored) {
      return {
        url: stored.url,
        events: stored.events,
        enabled: stored.enabled,
        ...(stored.description !== null ? { description: stored.description } : {}),
      };
    },
    present(row, extras) {
      const reveal = extras?.justCreated === true || extras?.input?.rotateSecret === true;
      return {
        id: row.id,
        url: row.data.url,
        events: row.data.events,
        description: row.data.description,
        enabled: row.data.enabled,
        ...(reveal ? { secret: row.data.secret } : {}),
        createdAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
      };
    },
  };
}
