import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError, NotFoundError, PconnError, UnavailableError } from '../../domain/pconn-error.ts';
import type { AllowedMethods } from '../allowed-methods.ts';
import { type ProblemOptions, sendProblem } from '../problem-response.ts';
import { MAX_REPORTED_ERRORS, mapSchemaErrorsCapped } from '../schema-errors.ts';

/**
 * The one place errors become responses. PconnErrors map through the problem table; Fastify's
 * own errors (validation, media type, body size) map to their contract codes; anything else is
 * a 500 `internal` that is logged with the request id and never shows its message or stack.
 */
export function registerErrorHandler(
  app: FastifyInstance,
  options: ProblemOptions & { allowedMethods?: AllowedMethods },
): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = await toPconnError(error, request);
    if (problem.code === 'internal')
      request.log.error({ err: error, requestId: request.id }, 'unexpected error');
    return sendProblem(request, reply, problem, options);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = options.allowedMethods?.for(path) ?? [];
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        request,
        reply,
        new InvalidInputError(
          'method_not_allowed',
          `${path} does not accept ${request.method}; it accepts ${allowed.join(', ')}.`,
          { extensions: { allowedMethods: allowed } },
        ),
        options,
      );
    }
    const problem = new NotFoundError('route', `${request.method} ${path}`);
    return sendProblem(request, reply, problem, options);
  });
}

/**
 * Fastify's `frameworkErrors`: failures its router meets before any route runs (a path that is
 * not valid percent-encoding, an over-long path parameter) answer as problems like the rest.
 */
export function frameworkErrorResponder(options: ProblemOptions) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    reply.header('x-request-id', request.id);
    let problem: PconnError;
    if (error.code === 'FST_ERR_BAD_URL')
      problem = new InvalidInputError('invalid_request', 'The path has 1 problem(s); see errors[].', {
        errors: [
          {
            pointer: '',
            code: 'format',
            detail:
              'Path: not valid percent-encoding (RFC 3986 §2.1); encode reserved and non-ASCII characters as UTF-8 %XX.',
          },
        ],
      });
    else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
      problem = new InvalidInputError('invalid_request', 'The path has 1 problem(s); see errors[].', {
        errors: [
          {
            pointer: '',
            code: 'too_long',
            detail:
              'Path parameter: longer than 256 characters; ids are at most 128 characters of [A-Za-z0-9._:-].',
          },
        ],
      });
    else {
      request.log.error({ err: error, requestId: request.id }, 'unexpected router error');
      problem = new PconnError(
        'internal',
        `Something went wrong on our side. Quote request id ${request.id} when reporting it.`,
      );
    }
    sendProblem(request, reply, problem, options);
  };
}

async function toPconnError(error: FastifyError, request: FastifyRequest): Promise<PconnError> {
  if (error instanceof PconnError) return error;
  if (error.validation) {
    const part = (error.validationContext ?? 'body') as 'body' | 'querystring' | 'params' | 'headers';
    let defaultRegion: string | undefined;
    if (request.principal) {
      try {
        defaultRegion = (await request.context()).tenant.defaultRegion;
      } catch {
        defaultRegion = undefined;
      }
    }
    const { errors, total } = mapSchemaErrorsCapped(
      error.validation as never,
      { part, route: request.routeOptions.config.routeKind ?? 'other', defaultRegion },
      MAX_REPORTED_ERRORS,
    );
    const where = part === 'body' ? 'request body' : part === 'querystring' ? 'query string' : 'path';
    const listed = total > errors.length ? `; errors[] lists the first ${errors.length}` : '; see errors[]';
    return new InvalidInputError('invalid_request', `The ${where} has ${total} problem(s)${listed}.`, {
      errors,
      extensions: { errorCount: total },
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new InvalidInputError(
        'unsupported_media_type',
        `Content-Type '${request.headers['content-type'] ?? '(none)'}' is not accepted here; send ${acceptedTypes(request)}.`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidInputError(
        'invalid_json',
        'The body is empty but Content-Type says JSON; send a JSON object.',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InvalidInputError(
        'payload_too_large',
        'The request body is larger than this route accepts.',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InvalidInputError('invalid_json', 'The body length does not match Content-Length.');
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new InvalidInputError('invalid_request', error.message);
  }
  if ((error as { code?: string }).code === 'ECONNREFUSED') {
    return new UnavailableError('unavailable', 'The database is unreachable.', {
      retryAfterSeconds: 5,
      retryable: true,
    });
  }
  return new PconnError(
    'internal',
    `Something went wrong on our side. Quote request id ${request.id} when reporting it.`,
  );
}

/** The media types the route documents (its OpenAPI `consumes`), else JSON. */
function acceptedTypes(request: FastifyRequest): string {
  const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes;
  return consumes && consumes.length > 0 ? consumes.join(' or ') : 'application/json';
}
