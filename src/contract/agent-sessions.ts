import { type Static, Type } from '@sinclair/typebox';
import { Id, Strict, Timestamp } from './common.ts';

const literals = <T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );

/** Body of PUT /v1/users/{id}/session. */
export const AgentSessionInput = Strict(
  {
    campaignIds: Type.Optional(
      Type.Array(Id, {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description:
          'Campaigns whose calls this session takes (the user must be in their agentIds). Omit for every campaign that lists the user.',
      }),
    ),
  },
  'Start (or update) a personal-connection session',
);
/** Body of PUT /v1/users/{id}/session. */
export type AgentSessionInput = Static<typeof AgentSessionInput>;

/** A personal-connection session as pconn answers it. */
export const AgentSession = Type.Object(
  {
    id: Type.String({ description: 'ses_…' }),
    userId: Id,
    status: literals(['starting', 'ready', 'on_call', 'ending', 'ended'] as const),
    campaignIds: Type.Union([Type.Array(Type.String()), Type.Null()], {
      description: 'null: every campaign whose agentIds list the user',
    }),
    agentLeg: Type.Object({
      state: literals(['pending', 'ringing', 'held', 'bridged', 'ended'] as const),
      sipStatus: Type.Union([Type.Integer(), Type.Null()], {
        description: 'SIP status that ended the leg (or its failed dial), when it ended',
      }),
    }),
    state: literals(['available', 'reserved', 'on_call', 'wrap_up', 'paused'] as const, {
      description:
        'The agent in the dialing cycle: calls go only to `available` agents (longest idle first); `reserved` while a contact is rung or a preview call offered, `on_call` once bridged, `wrap_up` after a call until a disposition or the wrap-up timeout, `paused` with a reason',
    }),
    stateSince: Timestamp,
    pauseReason: Type.Union([Type.String(), Type.Null()], { description: 'Why the agent is paused' }),
    pauseRequested: Type.Union([Type.String(), Type.Null()], {
      description: 'A pause asked for during a call (its reason): it takes effect when the wrap-up ends',
    }),
    wrapUpUntil: Type.Union([Timestamp, Type.Null()], {
      description: 'In wrap-up: when it times out and the agent is available again',
    }),
    stateCallId: Type.Union([Type.String(), Type.Null()], {
      description: 'The call the state is about (reserved, on_call, wrap_up)',
    }),
    currentCallId: Type.Union([Type.String(), Type.Null()]),
    callsHandled: Type.Integer({ minimum: 0, description: 'Calls carried over this session to their end' }),
    startedAt: Timestamp,
    readyAt: Type.Union([Timestamp, Type.Null()], { description: 'When the agent first answered' }),
    endedAt: Type.Union([Timestamp, Type.Null()]),
    endReason: Type.Union(
      [
        literals([
          'ended_by_request',
          'agent_hung_up',
          'agent_no_answer',
          'agent_unreachable',
          'user_unavailable',
          'node_stopped',
          'node_lost',
        ] as const),
        Type.Null(),
      ],
      { description: 'Why the session ended (null while it is open)' },
    ),
    endDetail: Type.Union([Type.String(), Type.Null()]),
    updatedAt: Timestamp,
    links: Type.Object({
      self: Type.String(),
      agentSession: Type.String({ description: '/v1/agent-sessions/{id}: pause, resume, preview offers' }),
      user: Type.String(),
      currentCall: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { description: 'A personal-connection session: one agent leg kept up across contacts' },
);
/** A session as pconn answers it. */
export type AgentSession = Static<typeof AgentSession>;

/** Body of POST /v1/agent-sessions/{id}/pause. */
export const AgentPauseInput = Strict(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Why the agent pauses (break, training, …); shown in the session and its events',
    }),
  },
  'Pause the session’s agent',
);
/** Body of POST /v1/agent-sessions/{id}/pause. */
export type AgentPauseInput = Static<typeof AgentPauseInput>;

/** Body of POST /v1/calls/{id}/disposition. */
export const DispositionInput = Strict(
  {
    code: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'The outcome the agent records (e.g. `sale`, `callback`)',
    }),
    notes: Type.Optional(Type.String({ maxLength: 1000, description: 'Free text, ≤ 1000 characters' })),
  },
  'Record the call’s disposition and end the agent’s wrap-up',
);
/** Body of POST /v1/calls/{id}/disposition. */
export type DispositionInput = Static<typeof DispositionInput>;

/** A call's disposition as pconn answers it (the Call object's `disposition`). */
export const Disposition = Type.Object({
  code: Type.String(),
  notes: Type.Union([Type.String(), Type.Null()]),
  userId: Type.String(),
  sessionId: Type.String(),
  at: Timestamp,
});
/** A call's disposition. */
export type Disposition = Static<typeof Disposition>;
