import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Campaign } from '../../contract/campaigns.ts';
import { Id, ListOf, ListQuery } from '../../contract/common.ts';
import { Contact, MembershipInput } from '../../contract/contacts.ts';
import { CAMPAIGN_ACTIONS } from '../../domain/campaign-status.ts';
import {
  addContactsToCampaign,
  listCampaignContacts,
  removeContactFromCampaign,
} from '../../service/campaigns/campaign-membership.ts';
import { transitionCampaign } from '../../service/campaigns/transition-campaign.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

const CampaignParams = Type.Object({ id: Id });

/** Campaign status transitions and campaign membership. */
export function registerCampaignActionRoutes(app: FastifyInstance, deps: { db: Db }): void {
  const { db } = deps;
  for (const action of CAMPAIGN_ACTIONS) {
    app.post<{ Params: { id: string } }>(
      `/v1/campaigns/:id/${action}`,
      {
        config: { scope: 'campaigns:write' },
        schema: routeSchema({
          operationId: `${action}Campaign`,
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a campaign`,
          description:
            'draft → scheduled|running ⇄ paused → completed|stopped; an illegal change is 409 invalid_transition.',
          tags: ['Campaigns'],
          scope: 'campaigns:write',
          params: CampaignParams,
          success: { 200: Campaign },
          errors: [404, 409],
        }),
      },
      async (request) => transitionCampaign(db, await request.context(), request.params.id, action),
    );
  }

  app.post<{ Params: { id: string }; Body: { contactIds: string[] } }>(
    '/v1/campaigns/:id/contacts',
    {
      config: { scope: 'campaigns:write' },
      schema: routeSchema({
        operationId: 'addCampaignContacts',
        summary: 'Add existing contacts to a campaign',
        tags: ['Campaigns'],
        scope: 'campaigns:write',
        params: CampaignParams,
        body: MembershipInput,
        success: { 200: Type.Object({ added: Type.Integer(), alreadyMembers: Type.Integer() }) },
        errors: [404, 422],
      }),
    },
    async (request) =>
      addContactsToCampaign(db, await request.context(), request.params.id, request.body.contactIds),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/v1/campaigns/:id/contacts',
    {
      config: { scope: 'campaigns:read' },
      schema: routeSchema({
        operationId: 'listCampaignContacts',
        summary: "List a campaign's contacts",
        tags: ['Campaigns'],
        scope: 'campaigns:read',
        params: CampaignParams,
        querystring: ListQuery,
        success: { 200: ListOf(Contact) },
        errors: [404],
      }),
    },
    async (request) => listCampaignContacts(db, await request.context(), request.params.id, request.query),
  );

  app.delete<{ Params: { id: string; contactId: string } }>(
    '/v1/campaigns/:id/contacts/:contactId',
    {
      config: { scope: 'campaigns:write' },
      schema: routeSchema({
        operationId: 'removeCampaignContact',
        summary: 'Remove a contact from a campaign',
        tags: ['Campaigns'],
        scope: 'campaigns:write',
        params: Type.Object({ id: Id, contactId: Id }),
        success: { 204: null },
        errors: [404],
      }),
    },
    async (request, reply) => {
      await removeContactFromCampaign(
        db,
        await request.context(),
        request.params.id,
        request.params.contactId,
      );
      return reply.code(204).send();
    },
  );
}
