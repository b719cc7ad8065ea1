import type { FastifyRequest } from 'fastify';
import { PconnError } from '../domain/pconn-error.ts';

/**
 * Awaits an import and, when its client hung up mid-upload, logs one line saying so with what
 * was read and discarded. The error still propagates: the audit trail records it (code
 * `client_closed_request`, the counts in the problem's extensions) like any other answer.
 */
export async function logAbortedImport<T>(request: FastifyRequest, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof PconnError && error.code === 'client_closed_request')
      request.log.warn(
        { route: request.routeOptions.url, ...error.extensions },
        'import aborted by client; its staged rows were discarded',
      );
    throw error;
  }
}
