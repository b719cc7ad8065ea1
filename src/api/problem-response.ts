import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../domain/error-codes.ts';
import type { PconnError } from '../domain/pconn-error.ts';
import { PROBLEM_TYPES } from './problem-types.ts';

/** Where problem type URLs point: `<publicUrl>/problems/<code>`. */
export interface ProblemOptions {
  publicUrl: string;
}

/** A rendered problem: status, headers and the RFC 9457 body. */
export interface RenderedProblem {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Renders a PconnError as RFC 9457 problem details (and notes its code on the request for the audit). */
export function renderProblem(
  request: FastifyRequest,
  error: PconnError,
  options: ProblemOptions,
): RenderedProblem {
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
    ...errorsMember(error),
    ...error.extensions,
  };
  if (error.retryable) body.retryable = true;
  request.problemBody = body;
  return { status: type.status, headers: problemHeaders(error.code, error), body };
}

/**
 * `errors[]` as the contract has every pointed problem carry it: the error's own list, or — for
 * a problem about one member (`contact_not_found` at `/contactId`, …) — that one entry, so
 * clients read field problems from one place whatever the status.
 */
function errorsMember(error: PconnError): { errors?: unknown[] } {
  if (error.errors) return { errors: error.errors };
  if (error.pointer === undefined) return {};
  return { errors: [{ pointer: error.pointer, code: error.code, detail: error.detail }] };
}

/** Writes a PconnError as RFC 9457 problem+json, with the headers its code calls for. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: PconnError,
  options: ProblemOptions,
): FastifyReply {
  const problem = renderProblem(request, error, options);
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type('application/problem+json')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(problem.body);
}

function problemHeaders(code: ErrorCode, error: PconnError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (code === 'missing_token') headers['www-authenticate'] = 'Bearer realm="pconn"';
  if (code === 'invalid_token') {
    headers['www-authenticate'] =
      `Bearer realm="pconn", error="invalid_token", error_description="${challengeText(error.detail)}"`;
  }
  if (code === 'insufficient_scope') {
    const scopes = (error.extensions.requiredScopes as string[] | undefined) ?? [];
    headers['www-authenticate'] =
      `Bearer realm="pconn", error="insufficient_scope", scope="${scopes.join(' ')}"`;
  }
  if (error.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  return headers;
}

/**
 * RFC 6750 §3: error_description is printable ASCII without `"` and `\`. Details may quote a
 * token's claims (a tenant name), and Node refuses the whole response on a header byte it does
 * not allow, so anything else becomes `?` here (the problem body keeps the exact text).
 */
function challengeText(detail: string): string {
  return detail.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}
