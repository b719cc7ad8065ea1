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
    machine: Type.Optional(RetryRule),
    fax: Type.Optional(RetryRule),
    minRedialGapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
  },
  'What the dialer does after each outcome',
);

/** How a campaign dials; `manual` is kept for campaigns written before the modes existed. */
export const DIALING_MODES = ['manual', 'preview', 'progressive', 'predictive'] as const;
/** Whose abandonment rules a campaign follows (`none`: no cap, no ledger restriction). */
export const CAMPAIGN_JURISDICTIONS = ['us_fcc', 'uk_ofcom', 'none'] as const;
/** What happens when answer detection hears a machine. */
export const MACHINE_ACTIONS = ['hangup', 'leave_message', 'connect'] as const;
/** What happens when nobody says anything after answering. */
export const SILENCE_ACTIONS = ['connect', 'hangup'] as const;

/**
 * Bounds of each answer-detection threshold. The contract may not import src/media, so these
 * repeat media/answer-detection-settings.ts ANSWER_DETECTION_BOUNDS; a test holds them equal.
 */
export const ANSWER_DETECTION_THRESHOLD_BOUNDS = {
  initialSilenceMs: [100, 60000],
  greetingMs: [100, 60000],
  afterGreetingSilenceMs: [100, 10000],
  minWordMs: [20, 2000],
  betweenWordsSilenceMs: [20, 2000],
  maxWords: [1, 100],
  totalAnalysisMs: [500, 120000],
  silenceThreshold: [1, 32767],
  faxToneMs: [100, 10000],
  sitSegmentMs: [60, 1000],
  minBeepMs: [40, 5000],
  beepTimeoutMs: [0, 600000],
} as const;
type ThresholdName = keyof typeof ANSWER_DETECTION_THRESHOLD_BOUNDS;

const threshold = (name: ThresholdName) => {
  const [minimum, maximum] = ANSWER_DETECTION_THRESHOLD_BOUNDS[name];
  return Type.Optional(Type.Integer({ minimum, maximum }));
};

/** Answer detection on the contact's leg (issue 16): on/off, what to do with a machine, thresholds. */
export const AnswerDetectionInput = Strict(
  {
    enabled: Type.Optional(
      Type.Boolean({ description: 'Analyse the contact’s first seconds (default false)' }),
    ),
    machineAction: Type.Optional(
      Type.Union(
        MACHINE_ACTIONS.map((a) => Type.Literal(a)),
        {
          description:
            'A machine answered: hang up (default), leave machinePromptId after the beep, or connect it',
        },
      ),
    ),
    silenceAction: Type.Optional(
      Type.Union(
        SILENCE_ACTIONS.map((a) => Type.Literal(a)),
        {
          description:
            'Nothing said after the answer: connect it to the agent (default; it may be a person) or hang up, which plays the abandon message and counts as an abandoned call',
        },
      ),
    ),
    initialSilenceMs: threshold('initialSilenceMs'),
    greetingMs: threshold('greetingMs'),
    afterGreetingSilenceMs: threshold('afterGreetingSilenceMs'),
    minWordMs: threshold('minWordMs'),
    betweenWordsSilenceMs: threshold('betweenWordsSilenceMs'),
    maxWords: threshold('maxWords'),
    totalAnalysisMs: threshold('totalAnalysisMs'),
    silenceThreshold: threshold('silenceThreshold'),
    faxToneMs: threshold('faxToneMs'),
    sitSegmentMs: threshold('sitSegmentMs'),
    minBeepMs: threshold('minBeepMs'),
    beepTimeoutMs: threshold('beepTimeoutMs'),
  },
  'Answer detection settings; each threshold defaults to pconn’s tuned value (docs/media.md)',
);

/** Pacing of predictive dialing. */
export const PacingInput = Strict(
  {
    abandonRateTarget: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: 'Abandoned ÷ live answers to hold (default 0.03); at most the jurisdiction’s cap',
      }),
    ),
    maxLinesPerAgent: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10, description: 'Dials in flight per staffed agent (default 3)' }),
    ),
  },
  'Predictive pacing',
);

/** Fields a client sets on a campaign (PUT/POST body). */
export const CampaignInput = Strict({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  dialingMode: Type.Optional(Type.Union(DIALING_MODES.map((m) => Type.Literal(m)))),
  agentFirst: Type.Optional(
    Type.Boolean({ description: 'progressive: ring the agent first (default true) or the contact first' }),
  ),
  pacing: Type.Optional(PacingInput),
  jurisdiction: Type.Optional(Type.Union(CAMPAIGN_JURISDICTIONS.map((j) => Type.Literal(j)))),
  wrapUpSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  answerDetection: Type.Optional(AnswerDetectionInput),
  abandonPromptId: Type.Optional(Type.Union([Id, Type.Null()])),
  machinePromptId: Type.Optional(Type.Union([Id, Type.Null()])),
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
  dialingMode: Type.Union(DIALING_MODES.map((m) => Type.Literal(m))),
  agentFirst: Type.Boolean(),
  pacing: Type.Object({ abandonRateTarget: Type.Number(), maxLinesPerAgent: Type.Integer() }),
  jurisdiction: Type.Union(CAMPAIGN_JURISDICTIONS.map((j) => Type.Literal(j))),
  wrapUpSeconds: Type.Integer(),
  answerDetection: Type.Required(AnswerDetectionInput),
  abandonPromptId: Type.Union([Type.String(), Type.Null()]),
  machinePromptId: Type.Union([Type.String(), Type.Null()]),
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
