import type { FastifyInstance } from 'fastify';
import { DncEntry, DncInput, NumberParam } from '../../contract/calls.ts';
import { ListOf, ListQuery } from '../../contract/common.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import { deleteDnc, listDnc, putDnc } from '../../store/calls/dnc.ts';
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
      const ctx = await request.context();
      const reason = request.body?.reason ?? null;
      const { created, createdAt } = await putDnc(deps.db, ctx.tenant.id, request.params.number, reason);
      if (created) reply.code(201);
      return { number: request.params.number, reason, createdAt: createdAt.toISOString() };
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
      const ctx = await request.context();
      if (!(await deleteDnc(deps.db, ctx.tenant.id, request.params.number)))
        throw new NotFoundError('dnc entry', request.params.number);
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
    async (request) => {
      const ctx = await request.context();
      const limit = request.query.limit ?? 50;
      const after = request.query.cursor
        ? Buffer.from(request.query.cursor, 'base64url').toString('utf8')
        : undefined;
      const rows = await listDnc(deps.db, ctx.tenant.id, limit + 1, after);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        data: page.map((r) => ({
          number: r.number,
          reason: r.reason,
          createdAt: r.created_at.toISOString(),
        })),
        nextCursor: rows.length > limit && last ? Buffer.from(last.number).toString('base64url') : null,
      };
    },
  );
}
