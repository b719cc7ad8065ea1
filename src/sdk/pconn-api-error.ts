import type { FieldError, Problem } from './types.ts';

/** RFC 9457 problem details (re-exported for older imports). */
export type { Problem } from './types.ts';

/**
 * Thrown by the SDK for every non-2xx answer; carries the RFC 9457 problem details (code,
 * status, detail, errors[] with pointers and hints, requestId) so callers branch on `code`.
 */
export class PconnApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = 'PconnApiError';
  }

  /** The problem's stable code (`invalid_request`, `not_found` …). */
  get code(): string {
    return this.problem.code;
  }

  /** The human explanation of this occurrence. */
  get detail(): string {
    return this.problem.detail;
  }

  /** The problem type's title. */
  get title(): string {
    return this.problem.title;
  }

  /** Field-level problems: JSON pointer into the request body, code, detail and hint. */
  get errors(): FieldError[] {
    return this.problem.errors ?? [];
  }

  /** The request id to quote to support or to `pconn explain`. */
  get requestId(): string | undefined {
    return this.problem.requestId || undefined;
  }
}

/** Builds a problem for answers that carry none (a proxy's HTML page, an OAuth error). */
export function problemFrom(status: number, body: unknown, text: string, requestId?: string): Problem {
  if (body && typeof body === 'object' && 'code' in body && 'title' in body) return body as Problem;
  const oauth = body as { error?: unknown; error_description?: unknown } | undefined;
  if (oauth && typeof oauth === 'object' && typeof oauth.error === 'string') {
    return {
      type: 'about:blank',
      title: status === 401 ? 'Authentication failed' : 'Token request refused',
      status,
      code: oauth.error,
      detail:
        typeof oauth.error_description === 'string'
          ? oauth.error_description
          : 'The token endpoint refused the client credentials.',
      requestId: requestId ?? '',
    };
  }
  return {
    type: 'about:blank',
    title: `HTTP ${status}`,
    status,
    code: 'http_error',
    detail: text.slice(0, 500) || `The server answered ${status} without a problem document.`,
    requestId: requestId ?? '',
  };
}
