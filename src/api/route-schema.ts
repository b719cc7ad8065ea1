import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import type { Scope } from '../domain/scopes.ts';

/** The problem schema, registered once as a shared schema and referenced by every error response. */
export const ProblemRef = Type.Unsafe<Record<string, unknown>>({ $ref: 'Problem#' });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request, JSON syntax (invalid_request, invalid_json)',
  401: 'Missing or invalid token (missing_token, invalid_token)',
  403: 'Token lacks the scope (insufficient_scope)',
  404: 'Not found, or another tenant’s (not_found)',
  409: 'Conflict with current state',
  413: 'Body too large (payload_too_large)',
  415: 'Unsupported media type (unsupported_media_type)',
  422: 'Refused: references or policy',
  429: 'Rate limited (rate_limited), see Retry-After',
  500: 'Internal error (internal)',
  503: 'Unavailable (unavailable), see Retry-After',
};

/** Options for one documented route. */
export interface RouteDoc {
  operationId: string;
  summary: string;
  tags: string[];
  /** null = public route. */
  scope: Scope | null;
  body?: TSchema;
  params?: TSchema;
  querystring?: TSchema;
  /** Success responses by status. */
  success: Record<number, TSchema | null>;
  /** Error statuses this route can answer besides the ones every authenticated route has. */
  errors?: number[];
  description?: string;
  consumes?: string[];
}

/**
 * Builds a Fastify route schema that doubles as the OpenAPI operation: security with the
 * route's scope, and an RFC 9457 problem schema on every error response.
 */
export function routeSchema(doc: RouteDoc): FastifySchema {
  const base = doc.scope === null ? [400, 429, 500] : [400, 401, 403, 429, 500, 503];
  const statuses = [...new Set([...base, ...(doc.body ? [413, 415] : []), ...(doc.errors ?? [])])].sort();
  const response: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(doc.success)) {
    response[status] = schema === null ? { type: 'null', description: 'No content' } : schema;
  }
  for (const status of statuses) {
    response[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/problem+json': { schema: ProblemRef } },
    };
  }
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    ...(doc.scope === null ? { security: [] } : { security: [{ oauth2: [doc.scope] }] }),
    ...(doc.body ? { body: doc.body } : {}),
    ...(doc.params ? { params: doc.params } : {}),
    ...(doc.querystring ? { querystring: doc.querystring } : {}),
    ...(doc.consumes ? { consumes: doc.consumes } : {}),
    response,
  } as FastifySchema;
}
