// Rules every accepted call request is held to, whatever its shape (accept-calls.ts).
import type { Decision } from '../../domain/compliance/index.ts';
import { ConflictError, InvalidInputError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { CallPlan } from './call-plan.ts';
import { decisionJson } from './decide.ts';

const METADATA_LIMIT = 4096;

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

/**
 * Turns a decision that is not `allowed` into its refusal: `campaign_has_no_agents` when no agent
 * could ever take the call, `call_blocked` when no later time would
 * do (DNC, consent, cap), `outside_calling_window` when only the window or redial gap failed and
 * the request said `outsideWindow: reject`; otherwise (deferred, schedule) nothing.
 */
export function refuseIfNotAllowed(decision: Decision, plan: CallPlan): void {
  if (decision.outcome === 'allowed') return;
  const failed = decision.rules.filter((r) => r.result !== 'pass' && r.rule !== 'agents');
  const agents = decision.rules.find((r) => r.rule === 'agents' && r.result === 'fail');
  // Compliance refusals first: a DNC number stays call_blocked whoever would take the call.
  const blocked = failed.some((r) => r.result === 'fail');
  if (agents && !blocked) {
    throw new PolicyRefusalError('campaign_has_no_agents', agents.detail, {
      pointer: '/userId',
      errors: [
        {
          pointer: '/userId',
          code: 'campaign_has_no_agents',
          detail: agents.detail,
          ...(agents.hint ? { hint: agents.hint } : {}),
        },
      ],
      extensions: { decision: decisionJson(decision) },
    });
  }
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
