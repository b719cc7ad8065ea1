import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  Call,
  CallEvent,
  CallListQuery,
  CallQuery,
  CampaignCallInput,
  DirectCallInput,
  DryRunResult,
} from '../../contract/calls.ts';
import { Id, ListOf } from '../../contract/common.ts';
import { InvalidInputError } from '../../domain/pconn-error.ts';
import { CallAcceptor, type CallShape } from '../../service/calls/accept-calls.ts';
import { getCall, getCallEvents, listTenantCalls } from '../../service/calls/call-queries.ts';
import { cancelCall } from '../../service/calls/cancel-call.ts';
import type { Db } from '../../store/database.ts';
import { sendAcceptOutcome } from '../accept-outcome-response.ts';
import { idempotencyKeyOf } from '../idempotency.ts';
import { routeSchema } from '../route-schema.ts';

/** What the call routes need. */
export interface CallRouteDeps {
  db: Db;
  publicUrl: string;
  sandbox: boolean;
  /** Tells the dialer a call is waiting (in-process wake-up; other nodes poll). */
  onCallsCreated: (count: number) => void;
}

const CALL_ERRORS = [404, 409, 422];

/** The call routes: create (campaign and direct, with dry runs and idempotency), read, list, cancel, timeline. */
export function registerCallRoutes(app: FastifyInstance, deps: CallRouteDeps): void {
  const acceptor = new CallAcceptor(deps.db, { sandbox: deps.sandbox, onCallsCreated: deps.onCallsCreated });
  const accept = async (
    request: FastifyRequest<{ Querystring: { dryRun?: boolean } }>,
    reply: FastifyReply,
    shape: CallShape,
  ) => {
    const dryRun = request.query.dryRun === true;
    const outcome = await acceptor.submit({
      ctx: await request.context(),
      shape,
      dryRun,
      ...(dryRun ? {} : { idempotency: idempotencyKeyOf(request) }),
    });
    return sendAcceptOutcome(request, reply, outcome, { publicUrl: deps.publicUrl });
  };

  app.post<{ Params: { campaignId: string }; Body: CampaignCallInput; Querystring: { dryRun?: boolean } }>(
    '/v1/campaigns/:campaignId/calls',
    {
      config: { scope: 'calls:write', routeKind: 'campaign_call' },
      schema: routeSchema({
        operationId: 'createCampaignCall',
        summary: 'Place a personal-connection call for one contact of a campaign (agent first)',
        description:
          'Exactly one of contactId or contact. Without userId the call waits for the campaign’s next available agent. `?dryRun=true` answers whether the call would be allowed, and when.',
        tags: ['Calls'],
        scope: 'calls:write',
        params: Type.Object({ campaignId: Id }),
        querystring: CallQuery,
        body: CampaignCallInput,
        success: { 200: DryRunResult, 202: Call },
        errors: CALL_ERRORS,
      }),
    },
    async (request, reply) => {
      const body = request.body;
      if ((body.contactId === undefined) === (body.contact === undefined)) {
        throw new InvalidInputError('invalid_request', 'Send exactly one of contactId or contact.', {
          errors: [
            {
              pointer: body.contactId === undefined ? '/contactId' : '',
              code: body.contactId === undefined ? 'required' : 'one_of',
              detail:
                'Exactly one of contactId (an existing contact) or contact (inline, upserted by externalId) is required.',
            },
          ],
        });
      }
      return accept(request, reply, { kind: 'campaign', campaignId: request.params.campaignId, input: body });
    },
  );

  app.post<{ Body: DirectCallInput; Querystring: { dryRun?: boolean } }>(
    '/v1/calls',
    {
      config: { scope: 'calls:write', routeKind: 'direct_call' },
      schema: routeSchema({
        operationId: 'createDirectCall',
        summary: "Call an external number from a user's device with a verified caller id",
        tags: ['Calls'],
        scope: 'calls:write',
        querystring: CallQuery,
        body: DirectCallInput,
        success: { 200: DryRunResult, 202: Call },
        errors: CALL_ERRORS,
      }),
    },
    async (request, reply) => accept(request, reply, { kind: 'direct', input: request.body }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/calls/:id',
    {
      config: { scope: 'calls:read' },
      schema: routeSchema({
        operationId: 'getCall',
        summary: 'Get a call with its attempts',
        tags: ['Calls'],
        scope: 'calls:read',
        params: Type.Object({ id: Id }),
        success: { 200: Call },
        errors: [404],
      }),
    },
    async (request) => getCall(deps.db, await request.context(), request.params.id),
  );

  app.get<{ Querystring: { campaignId?: string; status?: string; limit?: number; cursor?: string } }>(
    '/v1/calls',
    {
      config: { scope: 'calls:read' },
      schema: routeSchema({
        operationId: 'listCalls',
        summary: 'List calls, by campaign and status',
        tags: ['Calls'],
        scope: 'calls:read',
        querystring: CallListQuery,
        success: { 200: ListOf(Call) },
      }),
    },
    async (request) => listTenantCalls(deps.db, await request.context(), request.query),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/calls/:id/cancel',
    {
      config: { scope: 'calls:write' },
      schema: routeSchema({
        operationId: 'cancelCall',
        summary: 'Cancel a call (hangs up its legs if it is live)',
        tags: ['Calls'],
        scope: 'calls:write',
        params: Type.Object({ id: Id }),
        success: { 200: Call },
        errors: [404, 409],
      }),
    },
    async (request) => cancelCall(deps.db, await request.context(), request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/calls/:id/events',
    {
      config: { scope: 'calls:read' },
      schema: routeSchema({
        operationId: 'listCallEvents',
        summary: "A call's ordered timeline",
        tags: ['Calls'],
        scope: 'calls:read',
        params: Type.Object({ id: Id }),
        success: { 200: ListOf(CallEvent) },
        errors: [404],
      }),
    },
    async (request) => getCallEvents(deps.db, await request.context(), request.params.id),
  );
}
