import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AbandonmentLedger, AbandonmentQuery } from '../../contract/abandonment.ts';
import { Id } from '../../contract/common.ts';
import { abandonmentReport } from '../../service/campaigns/abandonment-report.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

/** GET /v1/campaigns/{id}/abandonment: the abandonment ledger, per day and rolling 30 days. */
export function registerCampaignAbandonmentRoute(app: FastifyInstance, deps: { db: Db }): void {
  app.get<{ Params: { id: string }; Querystring: AbandonmentQuery }>(
    '/v1/campaigns/:id/abandonment',
    {
      config: { scope: 'campaigns:read' },
      schema: routeSchema({
        operationId: 'getCampaignAbandonment',
        summary: 'The campaign’s abandonment ledger',
        description:
          'Live answers, abandons, rate, cap and whether the campaign was restricted, per UTC day of from..to (both included, at most 400 days; default the last 30) and over the rolling 30 days ending at the end of `to`. Recomputed from the attempt records.',
        tags: ['Campaigns'],
        scope: 'campaigns:read',
        params: Type.Object({ id: Id }),
        querystring: AbandonmentQuery,
        success: { 200: AbandonmentLedger },
        errors: [400, 404],
      }),
    },
    async (request) => abandonmentReport(deps.db, await request.context(), request.params.id, request.query),
  );
}
