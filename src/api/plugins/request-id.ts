import type { IncomingMessage } from 'node:http';
import { pooledRandomBytes } from '../../domain/random-pool.ts';

const VALID_CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's genReqId: echo a well-formed client `X-Request-Id` (so callers can correlate), else
 * generate `req_` + 20 random characters.
 */
export function requestIdFor(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  if (typeof sent === 'string' && VALID_CLIENT_ID.test(sent)) return sent;
  return `req_${pooledRandomBytes(15).toString('base64url')}`;
}
