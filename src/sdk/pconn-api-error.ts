/** A problem document as the API returns it (RFC 9457). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  requestId?: string;
  pointer?: string;
  errors?: Array<{ pointer: string; code: string; detail: string; hint?: string; line?: number }>;
  [extension: string]: unknown;
}

/** Thrown by the SDK for every non-2xx answer; carries the problem details. */
export class PconnApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = 'PconnApiError';
  }

  /** The problem's code (`invalid_request`, `not_found` …). */
  get code(): string {
    return this.problem.code;
  }
}
