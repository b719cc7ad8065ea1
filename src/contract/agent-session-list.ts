import { Type } from '@sinclair/typebox';
import { Id } from './common.ts';

/** Filters of GET /v1/agent-sessions. */
export const AgentSessionListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union(
        ['available', 'reserved', 'on_call', 'wrap_up', 'paused'].map((s) => Type.Literal(s)),
        { description: 'Open sessions whose agent is in this state' },
      ),
    ),
    status: Type.Optional(
      Type.Union(
        ['open', 'starting', 'ready', 'on_call', 'ending', 'ended'].map((s) => Type.Literal(s)),
        { description: 'Session status; `open` is every status but `ended`' },
      ),
    ),
    userId: Type.Optional(Id),
    campaignId: Type.Optional(
      Type.String({
        ...Id,
        description:
          'Sessions that take this campaign’s calls: listed in their campaignIds, or without campaignIds and the user in the campaign’s agentIds',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from nextCursor' })),
  },
  { additionalProperties: false },
);

/** The filters as parsed. */
export interface AgentSessionListQuery {
  state?: string;
  status?: string;
  userId?: string;
  campaignId?: string;
  limit?: number;
  cursor?: string;
}
