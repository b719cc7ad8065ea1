import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { refusedBeforeAuthentication } from './refused-before-authentication.ts';

/**
 * The one summary line per request (Fastify's own two are off). Requests refused before
 * authentication are left out when they are summarised instead (`summarised`). The line's
 * object is built only when info is on: a bench or a quiet node logs at warn, and building it
 * for nothing was an allocation per request.
 */
export function logRequestLine(request: FastifyRequest, reply: FastifyReply, summarised: boolean): void {
  if (summarised && refusedBeforeAuthentication(request)) return;
  const log = request.log as unknown as Partial<Logger>;
  if (log.isLevelEnabled && !log.isLevelEnabled('info')) return;
  request.log.info(
    {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      tenant: request.principal?.tenantId,
      client: request.principal?.clientId,
      code: request.problemCode,
    },
    'request',
  );
}
