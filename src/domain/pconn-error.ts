import type { ErrorCode, FieldErrorCode } from './error-codes.ts';

/** One problem with one place in the request body (RFC 6901 pointer; "" is the whole body). */
export interface FieldError {
  pointer: string;
  /** A field code, or — for a problem about one member — the problem's own code. */
  code: FieldErrorCode | ErrorCode;
  detail: string;
  hint?: string;
  /** Bulk imports: the 1-based line of the input the problem is on. */
  line?: number;
}

/** Options shared by every PconnError. */
export interface PconnErrorOptions {
  pointer?: string;
  errors?: FieldError[];
  retryable?: boolean;
  /** Extra members of the problem document (e.g. `campaignStatus`). */
  extensions?: Record<string, unknown>;
  /** Seconds a client should wait before retrying (429/503). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * The one error type pconn's domain, store and services throw. It carries no HTTP status:
 * api/ maps `code` to status and title in a single table.
 */
export class PconnError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly retryable: boolean;
  readonly pointer?: string;
  readonly errors?: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, detail: string, options: PconnErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.detail = detail;
    this.retryable = options.retryable ?? false;
    this.pointer = options.pointer;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The request itself is wrong: fix the payload and send it again. */
export class InvalidInputError extends PconnError {}
/** Credentials are missing, wrong or insufficient. */
export class AuthError extends PconnError {}
/** The addressed resource does not exist (or belongs to another tenant). */
export class NotFoundError extends PconnError {
  constructor(resource: string, id: string) {
    super('not_found', `No ${resource} with id '${id}' exists.`, { extensions: { resource, id } });
  }
}
/** The request conflicts with the current state; change the state or wait. */
export class ConflictError extends PconnError {}
/** A policy (compliance, campaign settings) refuses the request. */
export class PolicyRefusalError extends PconnError {}
/** pconn cannot serve the request right now; retry later. */
export class UnavailableError extends PconnError {}
