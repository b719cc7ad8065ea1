import type { FastifyInstance } from 'fastify';
import { AuditEvent, AuditHead, AuditQuery } from '../../contract/audit.ts';
import { GENESIS_HASH } from '../../contract/audit-chain.ts';
import { ListOf } from '../../contract/common.ts';
import { decodeCursor, encodeCursor } from '../../service/resources/resource-service.ts';
import { chainOf, findChainHead, listAuditEvents } from '../../store/audit-events.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

type Query = {
  requestId?: string;
  status?: number;
  code?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
};

/** The audit trail: search by request id, status, code and time; the chain head for verification. */
export function registerAuditRoutes(app: FastifyInstance, deps: { db: Db }): void {
  app.get<{ Querystring: Query }>(
    '/v1/audit-events',
    {
      config: { scope: 'audit:read' },
      schema: routeSchema({
        operationId: 'listAuditEvents',
        summary: 'Search the audit trail (every request, accepted or rejected)',
        tags: ['Audit'],
        scope: 'audit:read',
        querystring: AuditQuery,
        success: { 200: ListOf(AuditEvent) },
      }),
    },
    async (request) => {
      const ctx = await request.context();
      const q = request.query;
      const limit = q.limit ?? 50;
      const rows = await listAuditEvents(deps.db, ctx.tenant.id, {
        limit: limit + 1,
        requestId: q.requestId,
        status: q.status,
        code: q.code,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        afterSequence: decodeCursor(q.cursor),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.sequence) : null };
    },
  );

  app.get(
    '/v1/audit-events/head',
    {
      config: { scope: 'audit:read' },
      schema: routeSchema({
        operationId: 'getAuditHead',
        summary: "The newest link of your tenant's audit chain (to detect deleted tail entries)",
        tags: ['Audit'],
        scope: 'audit:read',
        success: { 200: AuditHead },
      }),
    },
    async (request) => {
      const ctx = await request.context();
      const head = await findChainHead(deps.db, ctx.tenant.id);
      return {
        chain: chainOf(ctx.tenant.id),
        sequence: head?.sequence ?? 0,
        hash: head?.hash ?? GENESIS_HASH,
      };
    },
  );
}
