import type { FastifyInstance } from 'fastify';
import { DncEntry, DncInput, NumberParam } from '../../contract/calls.ts';
import { ListOf, ListQuery } from '../../contract/common.ts';
import { deleteDncEntry, listDncEntries, putDncEntry } from '../../service/compliance/dnc-list.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

/** The tenant's do-not-call list: numbers on it are never dialled (call_blocked). */
export function registerDncRoutes(app: FastifyInstance, deps: { db: Db }): void {
  app.put<{ Params: { number: string }; Body: { reason?: string } }>(
    '/v1/dnc/:number',
    {
      config: { scope: 'contacts:write' },
      schema: routeSchema({
        operationId: 'putDnc',
        summary: 'Put a number on the do-not-call list (idempotent)',
        tags: ['Compliance'],
        scope: 'contacts:write',
        params: NumberParam,
        body: DncInput,
        success: { 200: DncEntry, 201: DncEntry },
      }),
    },
    async (request, reply) => {
      const { entry, created } = await putDncEntry(
        deps.db,
        await request.context(),
        request.params.number,
        request.body?.reason ?? null,
      );
      if (created) reply.code(201);
      return entry;
    },
  );
  app.delete<{ Params: { number: string } }>(
    '/v1/dnc/:number',
    {
      config: { scope: 'contacts:write' },
      schema: routeSchema({
        operationId: 'deleteDnc',
        summary: 'Remove a number from the do-not-call list',
        tags: ['Compliance'],
        scope: 'contacts:write',
        params: NumberParam,
        success: { 204: null },
        errors: [404],
      }),
    },
    async (request, reply) => {
      await deleteDncEntry(deps.db, await request.context(), request.params.number);
      return reply.code(204).send();
    },
  );
  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/v1/dnc',
    {
      config: { scope: 'contacts:read' },
      schema: routeSchema({
        operationId: 'listDnc',
        summary: 'List the do-not-call list',
        tags: ['Compliance'],
        scope: 'contacts:read',
        querystring: ListQuery,
        success: { 200: ListOf(DncEntry) },
      }),
    },
    async (request) => listDncEntries(deps.db, await request.context(), request.query),
  );
}
