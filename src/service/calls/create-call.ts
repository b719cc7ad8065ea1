import type { Call } from '../../contract/calls.ts';
import type { Decision } from '../../domain/compliance/index.ts';
import { ConflictError, InvalidInputError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { insertNewCalls } from '../../store/calls/write-new-calls.ts';
import type { Db, Executor } from '../../store/database.ts';
import type { CallPlan } from './call-plan.ts';
import { decide, decisionJson } from './decide.ts';
import { newCall } from './new-call.ts';

/** The answer of `?dryRun=true`. */
export interface DryRun {
  allowed: boolean;
  decision: Record<string, unknown>;
  nextAllowedAt: string | null;
}

/** Options of createCall. */
export interface CreateCallOptions {
  /** Client-chosen call id. */
  id?: string;
  sandbox: boolean;
}

const METADATA_LIMIT = 4096;

/**
 * Decides and creates a call in one transaction: `plan` gathers and checks the request (its
 * writes, like an inline contact, share the transaction), the compliance decision is taken at
 * `notBefore` (or now), and a refusal rolls everything back. A call deferred by its calling
 * window is created `scheduled` (or refused with `outsideWindow: reject`).
 */
export async function createCall(
  db: Db,
  ctx: RequestContext,
  plan: (tx: Executor) => Promise<CallPlan>,
  options: CreateCallOptions,
): Promise<Call> {
  return db.transaction().execute(async (tx) => {
    const callPlan = await plan(tx);
    checkMetadata(callPlan.metadata);
    const at = decisionInstant(ctx, callPlan);
    const decision = await decide(tx, ctx.tenant.id, callPlan, at);
    refuseIfNotAllowed(decision, callPlan);
    const fresh = newCall(ctx, callPlan, decision, at, options);
    const inserted = await insertNewCalls(tx, [fresh.record]);
    if (inserted.size === 0) throw callIdTaken(fresh.call.id);
    return fresh.call;
  });
}

/** The instant a call is decided at: its `notBefore` when that is later than now. */
export function decisionInstant(ctx: RequestContext, plan: CallPlan): Date {
  return plan.notBefore && plan.notBefore > ctx.now ? plan.notBefore : ctx.now;
}

/** 409 for a client-chosen call id that is already taken. */
export function callIdTaken(id: string): ConflictError {
  return new ConflictError(
    'conflict',
    `A call with id '${id}' already exists; use a new id or an Idempotency-Key to retry safely.`,
    { pointer: '/id' },
  );
}

/** Runs every check of createCall and answers "can I call now?" without writing anything. */
export async function dryRunCall(
  db: Db,
  ctx: RequestContext,
  plan: (tx: Executor) => Promise<CallPlan>,
): Promise<DryRun> {
  return db.transaction().execute(async (tx) => {
    const callPlan = await plan(tx);
    const at = decisionInstant(ctx, callPlan);
    const decision = await decide(tx, ctx.tenant.id, callPlan, at);
    return {
      allowed: decision.outcome === 'allowed',
      decision: decisionJson(decision),
      nextAllowedAt: decision.nextAllowedAt ? decision.nextAllowedAt.toISOString() : null,
    };
  });
}

/**
 * Turns a decision that is not `allowed` into its refusal: `call_blocked` when no later time would
 * do (DNC, consent, cap), `outside_calling_window` when only the window or redial gap failed and
 * the request said `outsideWindow: reject`; otherwise (deferred, schedule) nothing.
 */
export function refuseIfNotAllowed(decision: Decision, plan: CallPlan): void {
  if (decision.outcome === 'allowed') return;
  const failed = decision.rules.filter((r) => r.result !== 'pass');
  const windowOnly =
    failed.length > 0 && failed.every((r) => r.rule === 'calling_window' || r.rule === 'redial_gap');
  if (decision.nextAllowedAt === null || !windowOnly) {
    throw new PolicyRefusalError(
      'call_blocked',
      `The call is blocked: ${failed.map((r) => r.detail).join(' ')}`,
      {
        extensions: { decision: decisionJson(decision) },
      },
    );
  }
  if (plan.outsideWindow === 'reject') {
    throw new PolicyRefusalError(
      'outside_calling_window',
      `It is outside the calling window (${plan.window.start}–${plan.window.end}) for this number; the next allowed time is ${decision.nextAllowedAt.toISOString()}.`,
      {
        extensions: { nextAllowedAt: decision.nextAllowedAt.toISOString(), decision: decisionJson(decision) },
      },
    );
  }
}

/** `metadata` must stay within 4 KiB as JSON (contract). */
export function checkMetadata(metadata: Record<string, unknown>): void {
  const size = Buffer.byteLength(JSON.stringify(metadata));
  if (size > METADATA_LIMIT) {
    throw new InvalidInputError('invalid_request', 'metadata is too large.', {
      errors: [
        {
          pointer: '/metadata',
          code: 'too_large',
          detail: `metadata is ${size} bytes as JSON; the limit is ${METADATA_LIMIT}.`,
        },
      ],
    });
  }
}
