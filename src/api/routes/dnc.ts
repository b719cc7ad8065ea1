import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DncEntry, DncInput, NumberParam } from '../../contract/calls.ts';
import { ListOf, ListQuery } from '../../contract/common.ts';
import { deleteDncEntry, listDncEntries, putDncEntry } from '../../service/compliance/dnc-list.ts';
import { importDnc } from '../../service/compliance/import-dnc.ts';
import type { Db } from '../../store/database.ts';
import { DEFAULT_IMPORT_MAX_BYTES, guardImportBody } from '../import-body.ts';
import { logAbortedImport } from '../import-log.ts';
import { importRecords, registerStreamParsers } from '../plugins/body-parsers.ts';
import { routeSchema } from '../route-schema.ts';

/** The tenant's do-not-call list: numbers on it are never dialled (call_blocked). */
export function registerDncRoutes(app: FastifyInstance, deps: { db: Db; maxBytes?: number }): void {
  const maxBytes = deps.maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  app.register(async (scope) => {
    registerStreamParsers(scope);
    scope.post(
      '/v1/dnc/import',
      {
        config: { scope: 'contacts:write' },
        bodyLimit: maxBytes,
        schema: routeSchema({
          operationId: 'importDnc',
          summary: 'Bulk-add numbers to the do-not-call list (CSV or NDJSON)',
          description:
            'text/csv with a header row `number,reason` or application/x-ndjson lines `{"number": "+1…", "reason": "…"}`. All rows are checked first; any bad row rejects the whole import (422 import_rejected, with line numbers) and nothing is added. Bodies up to PCONN_IMPORT_MAX_BYTES (100 MiB by default; beyond it 413 payload_too_large).',
          tags: ['Compliance'],
          scope: 'contacts:write',
          success: {
            200: Type.Object({ rows: Type.Integer(), added: Type.Integer(), updated: Type.Integer() }),
          },
          errors: [413, 415, 422],
          consumes: ['text/csv', 'application/x-ndjson'],
        }),
      },
      async (request) => {
        const ctx = await request.context();
        guardImportBody(request, maxBytes);
        // CSV columns other than phone types pass through by name, so `number` and `reason` arrive as is.
        return logAbortedImport(request, importDnc(deps.db, ctx, importRecords(request, [])));
      },
    );
  });

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
