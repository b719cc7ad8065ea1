import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AgentSession, AgentSessionInput } from '../../contract/agent-sessions.ts';
import { Id } from '../../contract/common.ts';
import type { AgentStateChange } from '../../domain/agent-state.ts';
import { endSession, getSession, putSession } from '../../service/agent-sessions/agent-session-use-cases.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';
import { registerAgentSessionListRoutes } from './agent-session-list.ts';
import { registerAgentStateRoutes } from './agent-session-states.ts';

/** What the session routes need. */
export interface AgentSessionRouteDeps {
  db: Db;
  /** Tells this node's dialer a session was started or asked to end (other nodes poll). */
  onSessionChanged: () => void;
  /** Agent state changes committed by a request (metrics). */
  onStateChanged?: (change: AgentStateChange) => void;
}

const Params = Type.Object({ id: Id });
const TAGS = ['Users'];

/** PUT/GET/DELETE /v1/users/{id}/session: the user's personal-connection session. */
export function registerAgentSessionRoutes(app: FastifyInstance, deps: AgentSessionRouteDeps): void {
  const { db } = deps;
  const path = '/v1/users/:id/session';
  registerAgentSessionListRoutes(app, { db });
  registerAgentStateRoutes(app, {
    db,
    onSessionChanged: deps.onSessionChanged,
    onStateChanged: deps.onStateChanged ?? (() => undefined),
  });

  app.put<{ Params: { id: string }; Body: AgentSessionInput }>(
    path,
    {
      config: { scope: 'users:read' },
      // `{}` is the whole body of the common case, so an empty body means the same.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
      schema: routeSchema({
        operationId: 'putUserSession',
        summary: 'Start or update a personal-connection session',
        description:
          'pconn calls the user’s device once and keeps that leg up between contacts: each call of the session’s campaigns goes straight to the contact and is bridged to the waiting agent, who is put on hold when the contact leaves. 201 starts a session (status `starting` until the agent answers); on an open session 200 applies the new campaignIds and takes back a pending DELETE. An agent’s console token starts their own session (403 `insufficient_scope` for another user’s); `users:write` starts anyone’s. A disabled user is 409 `user_disabled`; unknown campaigns 422 `campaign_not_found`; campaigns not listing the user in agentIds 422 `user_unavailable`.',
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        body: AgentSessionInput,
        success: { 200: AgentSession, 201: AgentSession },
        errors: [403, 404, 409, 422],
      }),
    },
    async (request, reply) => {
      const { session, created } = await putSession(
        db,
        await request.context(),
        request.params.id,
        request.body,
      );
      deps.onSessionChanged();
      if (created) reply.code(201).header('location', session.links.self);
      return session;
    },
  );

  app.get<{ Params: { id: string } }>(
    path,
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'getUserSession',
        summary: 'The user’s current (or last) personal-connection session',
        description:
          'status `starting | ready | on_call | ending | ended`, the agent leg’s state, the current call and the calls handled. 404 when the user never had a session.',
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        success: { 200: AgentSession },
        errors: [404],
      }),
    },
    async (request) => getSession(db, await request.context(), request.params.id),
  );

  app.delete<{ Params: { id: string } }>(
    path,
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'endUserSession',
        summary: 'End the personal-connection session',
        description:
          '202 with status `ending` while the agent’s leg is up: it is hung up after the current call (GET shows `ended` then). 200 when the session ended at once (never dialled) or had already ended. 404 when the user never had a session. An agent’s console token ends their own session only; `users:write` ends anyone’s.',
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        success: { 200: AgentSession, 202: AgentSession },
        errors: [403, 404],
      }),
    },
    async (request, reply) => {
      const { session, pending } = await endSession(db, await request.context(), request.params.id);
      if (pending) deps.onSessionChanged();
      return reply.code(pending ? 202 : 200).send(session);
    },
  );
}
