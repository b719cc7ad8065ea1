import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { ErrorCode } from '../../domain/error-codes.ts';
import type { ProblemOptions } from '../problem-response.ts';
import { PROBLEM_TYPES } from '../problem-types.ts';
import { requestIdFor } from './request-id.ts';

/** A pconn request id for an answer no Fastify request exists for (the generator ignores its argument). */
const newRequestId = (): string => requestIdFor(undefined as never);

/** What a parser-level failure becomes: the problem code and the detail a client reads. */
function problemFor(error: NodeJS.ErrnoException): { code: ErrorCode; detail: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'headers_too_large',
        detail: 'The request line and headers exceed 16 KiB; send fewer or shorter headers.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 'request_timeout',
        detail: 'The request headers or body did not arrive in time; the connection is closed.',
      };
    default:
      return {
        code: 'malformed_request',
        // llhttp's reason ("Invalid method encountered", "Invalid header value char") names the
        // fault without echoing any of the bytes sent.
        detail: `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}: ${(error as { reason?: string }).reason ?? 'unreadable request'}).`,
      };
  }
}

/**
 * Fastify's clientErrorHandler (the http server's `clientError` event): a request Node's HTTP
 * parser refused before any route saw it — headers over the size limit (431), a malformed
 * request line or framing (400), headers or body too slow (408) — is answered as RFC 9457
 * problem+json with a pconn request id, like every other error, and the connection is closed.
 */
export function clientErrorResponder(
  options: ProblemOptions,
): (this: { log: FastifyBaseLogger }, error: NodeJS.ErrnoException, socket: Duplex) => void {
  return function respond(error, socket) {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { code, detail } = problemFor(error);
    const type = PROBLEM_TYPES[code];
    const requestId = newRequestId();
    this.log.info({ requestId, code, err: { code: error.code, message: error.message } }, 'client error');
    // A response already under way (its headers sent) cannot be replaced: only close.
    const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const body = problemJson(options, code, detail, requestId);
    socket.end(
      [
        `HTTP/1.1 ${type.status} ${STATUS_CODES[type.status] ?? type.title}`,
        'Content-Type: application/problem+json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    // The peer may keep sending (a dribbled body): once the answer is flushed, drop the socket;
    // a peer that never reads (a full send buffer) is dropped after a second regardless.
    const force = setTimeout(() => socket.destroy(), 1000);
    force.unref();
    socket.once('close', () => clearTimeout(force));
    socket.once('finish', () => socket.destroy());
  };
}

/**
 * The http server's `checkExpectation` event: an `Expect` other than 100-continue, which Node
 * otherwise answers with a bare 417 before any route sees the request.
 */
export function expectationResponder(
  options: ProblemOptions,
  log: FastifyBaseLogger,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const requestId = newRequestId();
    log.info({ requestId, code: 'expectation_failed', method: request.method }, 'unsupported Expect');
    const body = problemJson(
      options,
      'expectation_failed',
      'The Expect header is not supported; only 100-continue is.',
      requestId,
    );
    response.shouldKeepAlive = false;
    response.writeHead(PROBLEM_TYPES.expectation_failed.status, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
    });
    response.end(body);
  };
}

/** The contract's members of a problem answered outside Fastify (no route, so no instance). */
function problemJson(options: ProblemOptions, code: ErrorCode, detail: string, requestId: string): string {
  const type = PROBLEM_TYPES[code];
  return JSON.stringify({
    type: `${options.publicUrl}/problems/${code}`,
    title: type.title,
    status: type.status,
    code,
    detail,
    requestId,
  });
}
