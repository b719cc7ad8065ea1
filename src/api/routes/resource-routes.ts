import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ListOf, ListQuery } from '../../contract/common.ts';
import type { Scope } from '../../domain/scopes.ts';
import type { ResourceService } from '../../service/resources/resource-service.ts';
import type { RouteKind } from '../field-hints.ts';
import { routeSchema } from '../route-schema.ts';

/** How one config resource is exposed over HTTP. */
export interface ResourceRouteOptions {
  /** Collection path, e.g. /v1/campaigns. */
  path: string;
  /** OpenAPI tag and operationId stem ("Campaign"). */
  label: string;
  tag: string;
  readScope: Scope;
  writeScope: Scope;
  input: TObject;
  wire: TSchema;
  /** Schema of the `{id}` path parameter (caller ids use an E.164 number). */
  idSchema: TSchema;
  /** POST with a server-generated id. */
  allowPost: boolean;
  /** Extra list filters (query parameters matching top-level document members). */
  filters?: Record<string, TSchema>;
  routeKind?: RouteKind;
}

type AnyService = ResourceService<object, object, unknown>;
type Body = object;

// `?dryRun=true`: every check, nothing written (pconn apply validates a whole file this way).
const PutQuery = Type.Object(
  {
    dryRun: Type.Optional(
      Type.Boolean({
        description:
          'Run every check and answer 200 with the resource as it would be stored, without storing it (no secret is shown)',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Registers the standard config-resource routes: PUT (idempotent upsert with a client id;
 * `?dryRun=true` checks without writing), POST (generated id), GET, list, PATCH (top-level
 * members), DELETE.
 */
export function registerResourceRoutes(
  app: FastifyInstance,
  service: AnyService,
  options: ResourceRouteOptions,
): void {
  const { path, label, tag, readScope, writeScope, input, wire } = options;
  const params = Type.Object({ id: options.idSchema });
  const itemPath = `${path}/:id`;
  const config = (scope: Scope) => ({ scope, routeKind: options.routeKind ?? 'other' });
  const patchSchema = Type.Partial(input, { additionalProperties: false });
  const listQuery = Type.Composite(
    [
      ListQuery,
      Type.Object(
        Object.fromEntries(
          Object.entries(options.filters ?? {}).map(([name, schema]) => [name, Type.Optional(schema)]),
        ),
      ),
    ],
    { additionalProperties: false },
  );

  app.put<{ Params: { id: string }; Body: object; Querystring: { dryRun?: boolean } }>(
    itemPath,
    {
      config: config(writeScope),
      schema: routeSchema({
        operationId: `put${label}`,
        summary: `Create or replace a ${label.toLowerCase()} with a client-chosen id (idempotent)`,
        tags: [tag],
        scope: writeScope,
        params,
        querystring: PutQuery,
        body: input,
        success: { 200: wire, 201: wire },
        errors: [409, 422],
      }),
    },
    async (request, reply) => {
      const dryRun = request.query.dryRun === true;
      const { resource, created } = await service.put(
        await request.context(),
        request.params.id,
        request.body as Body,
        { dryRun },
      );
      if (dryRun) return resource;
      if (created) reply.code(201).header('location', `${path}/${encodeURIComponent(request.params.id)}`);
      return resource;
    },
  );

  if (options.allowPost) {
    app.post<{ Body: object }>(
      path,
      {
        config: config(writeScope),
        schema: routeSchema({
          operationId: `create${label}`,
          summary: `Create a ${label.toLowerCase()} with a generated id`,
          tags: [tag],
          scope: writeScope,
          body: input,
          success: { 201: wire },
          errors: [409, 422],
        }),
      },
      async (request, reply) => {
        const resource = (await service.create(await request.context(), request.body as Body)) as {
          id: string;
        };
        reply.code(201).header('location', `${path}/${encodeURIComponent(resource.id)}`);
        return resource;
      },
    );
  }

  app.get<{ Params: { id: string } }>(
    itemPath,
    {
      config: config(readScope),
      schema: routeSchema({
        operationId: `get${label}`,
        summary: `Get a ${label.toLowerCase()}`,
        tags: [tag],
        scope: readScope,
        params,
        success: { 200: wire },
        errors: [404],
      }),
    },
    async (request) => service.get(await request.context(), request.params.id),
  );

  app.get<{ Querystring: { limit?: number; cursor?: string } & Record<string, string | boolean> }>(
    path,
    {
      config: config(readScope),
      schema: routeSchema({
        operationId: `list${label}s`,
        summary: `List ${label.toLowerCase()}s`,
        tags: [tag],
        scope: readScope,
        querystring: listQuery,
        success: { 200: ListOf(wire) },
      }),
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return service.list(await request.context(), { limit, cursor, filter });
    },
  );

  app.patch<{ Params: { id: string }; Body: object }>(
    itemPath,
    {
      config: config(writeScope),
      schema: routeSchema({
        operationId: `patch${label}`,
        summary: `Change some top-level fields of a ${label.toLowerCase()} (null clears an optional one)`,
        tags: [tag],
        scope: writeScope,
        params,
        body: patchSchema,
        success: { 200: wire },
        errors: [404, 409, 422],
      }),
    },
    async (request) => service.patch(await request.context(), request.params.id, request.body as Body),
  );

  app.delete<{ Params: { id: string } }>(
    itemPath,
    {
      config: config(writeScope),
      schema: routeSchema({
        operationId: `delete${label}`,
        summary: `Delete a ${label.toLowerCase()}`,
        tags: [tag],
        scope: writeScope,
        params,
        success: { 204: null },
        errors: [404, 409],
      }),
    },
    async (request, reply) => {
      await service.remove(await request.context(), request.params.id);
      return reply.code(204).send();
    },
  );
}
