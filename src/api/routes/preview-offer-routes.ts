import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AgentSession } from '../../contract/agent-sessions.ts';
import { Id } from '../../contract/common.ts';
import { OfferSkipInput, PreviewOffer } from '../../contract/preview-offers.ts';
import type { StateAnswer } from '../../service/agent-sessions/agent-state-use-cases.ts';
import { acceptOffer, getOffer, skipOffer } from '../../service/agent-sessions/offer-use-cases.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

const Params = Type.Object({ id: Id });
const TAGS = ['Agent sessions'];
const WHO =
  ' An agent’s console token acts on its own session only (403 `insufficient_scope` for another agent’s); `users:write` or `calls:write` act on any.';

/**
 * Preview offers of a personal-connection session (issue 17): GET /v1/agent-sessions/{id}/offer,
 * POST …/offer/accept and POST …/offer/skip. `settle` publishes the committed agent changes and
 * wakes the dialer (the node holding the agent's leg dials an accepted offer).
 */
export function registerPreviewOfferRoutes(
  app: FastifyInstance,
  deps: { db: Db; settle: <T>(result: StateAnswer<T>) => T },
): void {
  const { db, settle } = deps;

  app.get<{ Params: { id: string } }>(
    '/v1/agent-sessions/:id/offer',
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'getAgentSessionOffer',
        summary: 'The preview call offered to the session’s agent',
        description: `The contact offered to the agent (\`status\` \`offered\` until \`expiresAt\`, then back to the queue; \`accepted\` while being dialled), with the Call. 404 \`no_offer\` when none.${WHO}`,
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        success: { 200: PreviewOffer },
        errors: [403, 404, 409],
      }),
    },
    async (request) => getOffer(db, await request.context(), request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/agent-sessions/:id/offer/accept',
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'acceptAgentSessionOffer',
        summary: 'Accept the offered preview call',
        description: `The agent takes the offered contact: the contact is rung at once through the agent’s session leg, as a session call (the agent stays \`reserved\`, then \`on_call\`). Answers the offer with \`status: accepted\`; again before the dial, the same. No open offer (none, expired, or the agent in another state) is 409 \`invalid_transition\` naming the state.${WHO}`,
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        success: { 200: PreviewOffer },
        errors: [403, 404, 409],
      }),
    },
    async (request) => settle(await acceptOffer(db, await request.context(), request.params.id)),
  );

  app.post<{ Params: { id: string }; Body: OfferSkipInput }>(
    '/v1/agent-sessions/:id/offer/skip',
    {
      config: { scope: 'users:read' },
      schema: routeSchema({
        operationId: 'skipAgentSessionOffer',
        summary: 'Skip the offered preview call',
        description: `The call goes back to the queue at once (not offered to this session again for 15 minutes; its timeline gets \`call.skipped\` with the reason) and the agent is \`available\` again (or \`paused\` when a pause was asked for). Answers the session. No open offer is 409 \`invalid_transition\` naming the state.${WHO}`,
        tags: TAGS,
        scope: 'users:read',
        params: Params,
        body: OfferSkipInput,
        success: { 200: AgentSession },
        errors: [403, 404, 409],
      }),
    },
    async (request) =>
      settle(await skipOffer(db, await request.context(), request.params.id, request.body.reason)),
  );
}
