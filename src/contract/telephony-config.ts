import { type Static, Type } from '@sinclair/typebox';
import { Id, Strict } from './common.ts';

/** Body of PUT /v1/caller-ids/{e164}. */
export const CallerIdInput = Strict({
  verified: Type.Optional(Type.Boolean()),
  label: Type.Optional(Type.String({ maxLength: 200 })),
});
/** A caller id as written by a client. */
export type CallerIdInput = Static<typeof CallerIdInput>;

/** A caller id as pconn answers it. */
export const CallerId = Type.Object({
  id: Type.String(),
  number: Type.String(),
  verified: Type.Boolean(),
  label: Type.Union([Type.String(), Type.Null()]),
  verifiedAt: Type.Union([Type.String(), Type.Null()]),
  verifiedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** A caller id as pconn answers it. */
export type CallerId = Static<typeof CallerId>;

/** Fields a client sets on a SIP trunk. */
export const TrunkInput = Strict({
  uri: Type.String({ pattern: '^sips?:', maxLength: 512, description: 'sip:host[:port][;transport=tcp]' }),
  username: Type.Optional(Type.String({ maxLength: 128 })),
  password: Type.Optional(Type.String({ maxLength: 256, description: 'write-only' })),
  maxConcurrent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  cps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
  offerInInitialInvite: Type.Optional(Type.Boolean({ description: 'Send an SDP offer in the first INVITE' })),
});
/** A trunk as written by a client. */
export type TrunkInput = Static<typeof TrunkInput>;

/** A trunk as pconn answers it (the password is never shown). */
export const Trunk = Type.Object({
  id: Id,
  uri: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  hasPassword: Type.Boolean(),
  maxConcurrent: Type.Integer(),
  cps: Type.Number(),
  offerInInitialInvite: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** A trunk as pconn answers it. */
export type Trunk = Static<typeof Trunk>;

/** Fields a client sets on a webhook endpoint. */
export const WebhookInput = Strict({
  url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }),
  events: Type.Optional(
    Type.Array(Type.String({ pattern: '^(\\*|[a-z_]+\\.(\\*|[a-z_]+))$' }), {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
    }),
  ),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  enabled: Type.Optional(Type.Boolean()),
  rotateSecret: Type.Optional(Type.Boolean({ description: 'Issue a new secret (shown once)' })),
});
/** A webhook endpoint as written by a client. */
export type WebhookInput = Static<typeof WebhookInput>;

/** A webhook endpoint as pconn answers it; `secret` only when created or rotated. */
export const Webhook = Type.Object({
  id: Id,
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  secret: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** A webhook endpoint as pconn answers it. */
export type Webhook = Static<typeof Webhook>;
