import type { FastifyInstance } from 'fastify';
import { AuditEvent, AuditHead, AuditQuery } from '../../contract/audit.ts';
import { ListOf } from '../../contract/common.ts';
import { type AuditSearch, auditChainHead, searchAuditEvents } from '../../service/audit/audit-queries.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

/** The audit trail: search by request id, status, code and time; the chain head for verification. */
export function registerAuditRoutes(app: FastifyInstance, deps: { db: Db }): void {
  app.get<{ Querystring: AuditSearch }>(
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
    async (request) => searchAuditEvents(deps.db, await request.context(), request.query),
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
    async (request) => auditChainHead(deps.db, await request.context()),
  );
}
