import { type Static, Type } from '@sinclair/typebox';
import { Id, JsonObject, LocalTime, PhoneNumber, Strict, Timestamp, TimeZone } from './common.ts';

const RetryRule = Strict({
  retry: Type.Boolean(),
  gapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
});

/** Per-outcome retry choices; each outcome not given keeps its default. */
export const RetryPolicy = Strict(
  {
    busy: Type.Optional(RetryRule),
    no_answer: Type.Optional(RetryRule),
    network_error: Type.Optional(RetryRule),
    invalid_number: Type.Optional(RetryRule),
    rejected: Type.Optional(RetryRule),
    minRedialGapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
  },
  'What the dialer does after each outcome',
);

/** Fields a client sets on a campaign (PUT/POST body). */
export const CampaignInput = Strict({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  dialingMode: Type.Optional(
    Type.Union(['manual', 'preview', 'progressive', 'predictive'].map((m) => Type.Literal(m))),
  ),
  allowApiCalls: Type.Optional(Type.Boolean()),
  callerId: Type.Optional(Type.Union([PhoneNumber, Type.Null()])),
  callingWindow: Type.Optional(Strict({ start: LocalTime, end: LocalTime })),
  timezone: Type.Optional(Type.Union([TimeZone, Type.Null()])),
  retryPolicy: Type.Optional(RetryPolicy),
  maxAttemptsPerContact: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  schedule: Type.Optional(
    Strict({
      startAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
      endAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    }),
  ),
  agentIds: Type.Optional(Type.Array(Id, { maxItems: 1000, uniqueItems: true })),
  metadata: Type.Optional(JsonObject),
});
/** A campaign as written by a client. */
export type CampaignInput = Static<typeof CampaignInput>;

/** A campaign as pconn answers it. */
export const Campaign = Type.Object({
  id: Id,
  name: Type.String(),
  status: Type.Union(
    ['draft', 'scheduled', 'running', 'paused', 'completed', 'stopped'].map((s) => Type.Literal(s)),
  ),
  dialingMode: Type.String(),
  allowApiCalls: Type.Boolean(),
  callerId: Type.Union([Type.String(), Type.Null()]),
  callingWindow: Type.Object({ start: Type.String(), end: Type.String() }),
  timezone: Type.Union([Type.String(), Type.Null()]),
  retryPolicy: Type.Object({}, { additionalProperties: true }),
  maxAttemptsPerContact: Type.Integer(),
  schedule: Type.Object({
    startAt: Type.Union([Type.String(), Type.Null()]),
    endAt: Type.Union([Type.String(), Type.Null()]),
  }),
  agentIds: Type.Array(Type.String()),
  metadata: Type.Object({}, { additionalProperties: true }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** A campaign as pconn answers it. */
export type Campaign = Static<typeof Campaign>;
