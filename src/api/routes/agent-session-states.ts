import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AgentPauseInput, AgentSession, DispositionInput } from '../../contract/agent-sessions.ts';
import { Call } from '../../contract/calls.ts';
import { Id } from '../../contract/common.ts';
import type { AgentStateChange } from '../../domain/agent-state.ts';
import {
  pauseSession,
  recordDisposition,
  resumeSession,
  type StateAnswer,
} from '../../service/agent-sessions/agent-state-use-cases.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';
import { registerPreviewOfferRoutes } from './preview-offer-routes.ts';

/** What the agent state routes need. */
export interface AgentStateRouteDeps {
  db: Db;
  /** A session's agent came free or changed: wake this node's dialer. */
  onSessionChanged: () => void;
  /** Committed agent state changes (metrics). */
  onStateChanged: (change: AgentStateChange) => void;
}

const Params = Type.Object({ id: Id });
const TAGS = ['Agent sessions'];

/**
 * The agent's state in a personal-connection session, addressed by the session id:
 * POST /v1/agent-sessions/{id}/pause|resume, and POST /v1/calls/{id}/disposition, which ends
 * the wrap-up of the agent who took the call. The routes ask for the read scope: an agent's
 * console token acts on its own session and calls; any other needs a write scope
 * (service/agent-sessions/session-owner.ts).
 */
export function registerAgentStateRoutes(app: FastifyInstance, deps: AgentStateRouteDeps): void {
  const { db } = deps;
  const settle = <T>(result: StateAnswer<T>): T => {
    for (const change of result.changes) deps.onStateChanged(change);
    if (result.changes.length > 0 || result.pending) deps.onSessionChanged();
    return result.value;
  };

  registerPreviewOfferRoutes(app, { db, settle });

  app.post<{ Params: { id: string }; Body: AgentPauseInput }>(
    '/v1/agent-sessions/:id/pause',
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'pauseAgentSession',
        summary: 'Pause the session’s agent',
        description:
          'An `available` agent (or one in `wrap_up`) is `paused` at once (200) and gets no call until resumed. During a call (`reserved` or `on_call`) the pause is recorded as `pauseRequested` and takes effect when the call’s wrap-up ends (202). Repeating it with the same reason is harmless. A paused agent asked for another reason, or an ended session, is 409 `invalid_transition` naming the state.',
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        body: AgentPauseInput,
        success: { 200: AgentSession, 202: AgentSession },
        errors: [403, 404, 409],
      }),
    },
    async (request, reply) => {
      const result = await pauseSession(db, await request.context(), request.params.id, request.body);
      return reply.code(result.pending ? 202 : 200).send(settle(result));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/agent-sessions/:id/resume',
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'resumeAgentSession',
        summary: 'Resume a paused agent',
        description:
          'A `paused` agent is `available` again; a pause still pending (asked for during a call) is taken back. Otherwise 409 `invalid_transition` naming the state.',
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        success: { 200: AgentSession },
        errors: [403, 404, 409],
      }),
    },
    async (request) => settle(await resumeSession(db, await request.context(), request.params.id)),
  );

  app.post<{ Params: { id: string }; Body: DispositionInput }>(
    '/v1/calls/:id/disposition',
    {
      config: { scope: 'calls:read' },
      schema: routeSchema({
        operationId: 'recordCallDisposition',
        summary: 'Record the call’s disposition and end the agent’s wrap-up',
        description:
          'Stores `{code, notes}` on the call (the Call object’s `disposition`) and sends the session agent who took it from `wrap_up` back to `available` (or to `paused` when a pause was asked for during the call). 409 `invalid_transition` when the call is not in wrap-up for its agent; the same code again is answered as it is.',
        tags: ['Calls'],
        scope: 'calls:read',
        params: Params,
        body: DispositionInput,
        success: { 200: Call },
        errors: [403, 404, 409],
      }),
    },
    async (request) =>
      settle(await recordDisposition(db, await request.context(), request.params.id, request.body)),
  );
}
