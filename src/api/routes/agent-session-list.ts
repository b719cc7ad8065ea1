import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AgentSessionListQuery } from '../../contract/agent-session-list.ts';
import { AgentSession } from '../../contract/agent-sessions.ts';
import { Id, ListOf } from '../../contract/common.ts';
import { getAgentSession, listAgentSessions } from '../../service/agent-sessions/session-list-use-cases.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

const TAGS = ['Agent sessions'];

/** GET /v1/agent-sessions and GET /v1/agent-sessions/{id}: who is working and in which state. */
export function registerAgentSessionListRoutes(app: FastifyInstance, deps: { db: Db }): void {
  const { db } = deps;

  app.get<{ Querystring: AgentSessionListQuery }>(
    '/v1/agent-sessions',
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'listAgentSessions',
        summary: 'Personal-connection sessions, filtered',
        description:
          'The tenant’s sessions, oldest first, with a cursor (`nextCursor`). `state` lists open sessions whose agent is in that state; `status=open` every session not ended; `campaignId` the sessions that take that campaign’s calls (the user in its agentIds, and the session without campaignIds or listing it). An unknown campaign lists nothing.',
        tags: TAGS,
        scope: 'users:read',
        querystring: AgentSessionListQuery,
        success: { 200: ListOf(AgentSession) },
        errors: [400],
      }),
    },
    async (request) => listAgentSessions(db, await request.context(), request.query),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/agent-sessions/:id',
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'getAgentSession',
        summary: 'A personal-connection session by its id',
        description: 'The session as `GET /v1/users/{id}/session` answers it, open or ended.',
        tags: TAGS,
        scope: 'users:read',
        params: Type.Object({ id: Id }),
        success: { 200: AgentSession },
        errors: [404],
      }),
    },
    async (request) => getAgentSession(db, await request.context(), request.params.id),
  );
}
