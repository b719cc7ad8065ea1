import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../domain/error-codes.ts';
import { PconnError } from '../domain/pconn-error.ts';
import { PROBLEM_TYPES } from './problem-types.ts';

/** Where problem type URLs point: `<publicUrl>/problems/<code>`. */
export interface ProblemOptions {
  publicUrl: string;
}

/** Writes a PconnError as RFC 9457 problem+json, with the headers its code calls for. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: PconnError, options: ProblemOptions): FastifyReply {
  const type = PROBLEM_TYPES[error.code];
  request.problemCode = error.code;
  const body: Record<string, unknown> = {
    type: `${options.publicUrl}/problems/${error.code}`,
    title: type.title,
    status: type.status,
    code: error.code,
    detail: error.detail,
    requestId: request.id,
    instance: request.url.split('?')[0],
    ...(error.pointer !== undefined ? { pointer: error.pointer } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
  if (error.retryable) body.retryable = true;
  const headers = problemHeaders(error.code, error);
  return reply
    .code(type.status)
    .headers(headers)
    .type('application/problem+json')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(body);
}

function problemHeaders(code: ErrorCode, error: PconnError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (code === 'missing_token') headers['www-authenticate'] = 'Bearer realm="pconn"';
  if (code === 'invalid_token') {
    headers['www-authenticate'] = `Bearer realm="pconn", error="invalid_token", error_description="${error.detail.replace(/"/g, "'")}"`;
  }
  if (code === 'insufficient_scope') {
    const scopes = (error.extensions.requiredScopes as string[] | undefined) ?? [];
    headers['www-authenticate'] = `Bearer realm="pconn", error="insufficient_scope", scope="${scopes.join(' ')}"`;
  }
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  return headers;
}

/** Wraps anything thrown into a PconnError; unknown errors become 500 `internal` (logged, never leaked). */
export function asPconnError(error: unknown): PconnError | undefined {
  return error instanceof PconnError ? error : undefined;
}
