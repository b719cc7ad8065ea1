import { type Static, Type } from '@sinclair/typebox';
import { Disposition } from './agent-sessions.ts';
import { Id, PhoneNumber, Strict, Timestamp } from './common.ts';
import { ContactInput } from './contacts.ts';

const Reason = Type.String({ maxLength: 64, description: 'Why the call is made (≤ 64 characters)' });
const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Your data, echoed in events (≤ 4 KiB as JSON)',
});
const OutsideWindow = Type.Union([Type.Literal('schedule'), Type.Literal('reject')], {
  description: 'Outside the calling window: schedule for the next opening, or reject with 422',
});

/** An inline contact on a campaign call: the contact document, upserted by externalId and added to the campaign. */
export const InlineContact = ContactInput;

/** Body of POST /v1/campaigns/{campaignId}/calls. Exactly one of contactId | contact. */
export const CampaignCallInput = Strict({
  id: Type.Optional(Id),
  contactId: Type.Optional(Id),
  contact: Type.Optional(InlineContact),
  phoneType: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  userId: Type.Optional(Id),
  reason: Type.Optional(Reason),
  metadata: Type.Optional(Metadata),
  notBefore: Type.Optional(Timestamp),
  outsideWindow: Type.Optional(OutsideWindow),
});
/** A campaign call request. */
export type CampaignCallInput = Static<typeof CampaignCallInput>;

/** Body of POST /v1/calls: a direct call from a user's device to an external number. */
export const DirectCallInput = Strict({
  id: Type.Optional(Id),
  userId: Id,
  to: PhoneNumber,
  callerId: Type.Optional(PhoneNumber),
  reason: Type.Optional(Reason),
  metadata: Type.Optional(Metadata),
  notBefore: Type.Optional(Timestamp),
  outsideWindow: Type.Optional(OutsideWindow),
});
/** A direct call request. */
export type DirectCallInput = Static<typeof DirectCallInput>;

/** `?dryRun=true`. */
export const CallQuery = Type.Object(
  { dryRun: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/** One compliance decision, as recorded on attempts and answered by dry runs. */
export const DecisionSchema = Type.Object(
  {
    outcome: Type.String(),
    rules: Type.Array(
      Type.Object({
        rule: Type.String(),
        result: Type.String(),
        detail: Type.String(),
        hint: Type.Optional(Type.String()),
      }),
    ),
    zone: Type.Object({ zones: Type.Array(Type.String()), source: Type.String() }),
    evaluatedAt: Type.String(),
    nextAllowedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: true },
);

/** Answer of a dry run: "can I call now?". */
export const DryRunResult = Type.Object({
  allowed: Type.Boolean(),
  decision: DecisionSchema,
  nextAllowedAt: Type.Union([Type.String(), Type.Null()]),
});

/** What answer detection concluded on the contact's leg (`pconn amd --json` prints the same). */
export const AttemptAnalysis = Type.Object(
  {
    verdict: Type.Union(
      ['human', 'machine', 'fax', 'silence', 'unknown', 'invalid_number'].map((v) => Type.Literal(v)),
    ),
    decidedAtMs: Type.Number({ description: 'ms of audio after the answer when the verdict was reached' }),
    beepAtMs: Type.Union([Type.Number(), Type.Null()], { description: 'when the machine’s beep ended' }),
    features: Type.Object({}, { additionalProperties: true, description: 'The measurements behind it' }),
  },
  { additionalProperties: true },
);

/** RTP quality of the contact's leg while pconn held its media. */
export const AttemptMedia = Type.Object(
  {
    packetsReceived: Type.Integer(),
    packetsLost: Type.Integer(),
    jitterMs: Type.Number(),
    packetsSent: Type.Integer(),
    codec: Type.String({ description: 'PCMU or PCMA' }),
  },
  { additionalProperties: true },
);

/** Every outcome an attempt or a call can end with. */
export const CALL_OUTCOME_NAMES = [
  'answered',
  'busy',
  'no_answer',
  'invalid_number',
  'rejected',
  'network_error',
  'agent_no_answer',
  'canceled',
  'abandoned',
  'machine',
  'fax',
] as const;

/** One attempt of a call. */
export const Attempt = Type.Object({
  n: Type.Integer(),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()], { description: CALL_OUTCOME_NAMES.join(', ') }),
  sipStatus: Type.Union([Type.Integer(), Type.Null()]),
  sipReason: Type.Union([Type.String(), Type.Null()]),
  userId: Type.Union([Type.String(), Type.Null()]),
  decision: DecisionSchema,
  contactAnsweredAt: Type.Union([Type.String(), Type.Null()], {
    description:
      'When the contact picked up (a live answer for the ledger unless analysis says machine, fax or SIT)',
  }),
  analysis: Type.Union([AttemptAnalysis, Type.Null()]),
  media: Type.Union([AttemptMedia, Type.Null()]),
  abandonPromptPlayedAt: Type.Union([Type.String(), Type.Null()]),
  machineMessagePlayedAt: Type.Union([Type.String(), Type.Null()]),
  agentConnectedAt: Type.Union([Type.String(), Type.Null()]),
});

/** A call as pconn answers it. */
export const Call = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  campaignId: Type.Union([Type.String(), Type.Null()]),
  contactId: Type.Union([Type.String(), Type.Null()]),
  userId: Type.Union([Type.String(), Type.Null()]),
  to: Type.String(),
  phoneType: Type.Union([Type.String(), Type.Null()]),
  callerId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Object({}, { additionalProperties: true }),
  sandbox: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  scheduledFor: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Array(Attempt),
  disposition: Type.Optional(
    Type.Union([Disposition, Type.Null()], {
      description: 'The agent’s disposition (POST /v1/calls/{id}/disposition)',
    }),
  ),
  links: Type.Object({ self: Type.String(), events: Type.String() }),
});
/** A call as pconn answers it. */
export type Call = Static<typeof Call>;

/** One timeline entry / event of a call. */
export const CallEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  timestamp: Type.String(),
  sequence: Type.Integer(),
  data: Type.Object({}, { additionalProperties: true }),
});

/** Filters of GET /v1/calls. */
export const CallListQuery = Type.Object(
  {
    campaignId: Type.Optional(Id),
    status: Type.Optional(Type.String({ maxLength: 20 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** Body of PUT /v1/dnc/{e164}. */
export const DncInput = Strict({ reason: Type.Optional(Type.String({ maxLength: 200 })) });
/** A DNC entry. */
export const DncEntry = Type.Object({
  number: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
/** Re-exported for routes that address numbers. */
export const NumberParam = Type.Object({ number: PhoneNumber });
