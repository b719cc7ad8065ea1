import type { FastifyInstance } from 'fastify';
import { AuditEvent, AuditHead, AuditHeadQuery, AuditQuery } from '../../contract/audit.ts';
import { ListOf } from '../../contract/common.ts';
import {
  type AuditChainName,
  type AuditSearch,
  auditChainHead,
  searchAuditEvents,
} from '../../service/audit/audit-queries.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

/**
 * The audit trail: search by request id (pconn's or the client's), status, code and time; the
 * chain head for verification. `?chain=unauthenticated` reads the entries of requests that had
 * no usable token (`system` scope).
 */
export function registerAuditRoutes(app: FastifyInstance, deps: { db: Db }): void {
  app.get<{ Querystring: AuditSearch }>(
    '/v1/audit-events',
    {
      config: { scope: 'audit:read' },
      schema: routeSchema({
        operationId: 'listAuditEvents',
        summary: 'Search the audit trail (every request, accepted or rejected)',
        description:
          "Your tenant's chain by default. Requests with no usable token (401s) belong to no tenant: a client with the `system` scope reads them with `?chain=unauthenticated` (their 401 problem names the link).",
        tags: ['Audit'],
        scope: 'audit:read',
        querystring: AuditQuery,
        success: { 200: ListOf(AuditEvent) },
      }),
    },
    async (request) => searchAuditEvents(deps.db, await request.context(), request.query),
  );

  app.get<{ Querystring: { chain?: AuditChainName } }>(
    '/v1/audit-events/head',
    {
      config: { scope: 'audit:read' },
      schema: routeSchema({
        operationId: 'getAuditHead',
        summary: "The newest link of your tenant's audit chain (to detect deleted tail entries)",
        tags: ['Audit'],
        scope: 'audit:read',
        querystring: AuditHeadQuery,
        success: { 200: AuditHead },
      }),
    },
    async (request) => auditChainHead(deps.db, await request.context(), request.query.chain),
  );
}
