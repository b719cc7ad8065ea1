import { type Static, Type } from '@sinclair/typebox';
import { Id, Strict, Timestamp } from './common.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

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
      user: Type.String(),
      currentCall: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { description: 'A personal-connection session: one agent leg kept up across contacts' },
);
/** A session as pconn answers it. */
export type AgentSession = Static<typeof AgentSession>;
