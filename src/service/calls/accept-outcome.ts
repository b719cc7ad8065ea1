import type { Call } from '../../contract/calls.ts';
import type { ErrorCode } from '../../domain/error-codes.ts';
import { type FieldError, PconnError } from '../../domain/pconn-error.ts';

/** The answer of `?dryRun=true`: "can I call now?". */
export interface DryRun {
  allowed: boolean;
  decision: Record<string, unknown>;
  nextAllowedAt: string | null;
}

/**
 * What accepting one call request came to, as a domain outcome (api/ renders it): the call was
 * accepted, the request was refused for a reason the client can act on, or — a dry run — the
 * decision. `replayed`: the answer is the one stored under the request's Idempotency-Key.
 */
export type AcceptOutcome =
  | { kind: 'accepted'; call: Call; replayed: boolean }
  | { kind: 'refused'; error: PconnError; replayed: boolean }
  | { kind: 'dry_run'; result: DryRun };

/** An outcome as stored with its Idempotency-Key (migration 0007): JSON, no HTTP. */
type StoredOutcome =
  | { kind: 'accepted'; call: Call }
  | {
      kind: 'refused';
      error: {
        code: ErrorCode;
        detail: string;
        pointer?: string;
        errors?: FieldError[];
        retryable?: boolean;
        extensions?: Record<string, unknown>;
      };
    };

/** The JSON stored with a key for an accepted call or a refusal. */
export function storedOutcome(outcome: AcceptOutcome): StoredOutcome {
  if (outcome.kind === 'accepted') return { kind: 'accepted', call: outcome.call };
  if (outcome.kind === 'refused') {
    const { code, detail, pointer, errors, retryable, extensions } = outcome.error;
    return {
      kind: 'refused',
      error: {
        code,
        detail,
        ...(pointer !== undefined ? { pointer } : {}),
        ...(errors ? { errors } : {}),
        ...(retryable ? { retryable } : {}),
        ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
      },
    };
  }
  throw new Error('dry runs are never stored');
}

/** The outcome a stored answer replays. */
export function replayedOutcome(stored: unknown): AcceptOutcome {
  const outcome = stored as StoredOutcome;
  if (outcome.kind === 'accepted') return { kind: 'accepted', call: outcome.call, replayed: true };
  const { code, detail, ...options } = outcome.error;
  return { kind: 'refused', error: new PconnError(code, detail, options), replayed: true };
}
