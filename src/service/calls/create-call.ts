import type { Call } from '../../contract/calls.ts';
import type { Decision } from '../../domain/compliance/index.ts';
import { newId } from '../../domain/ids.ts';
import { ConflictError, InvalidInputError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { appendCallEvent, findCall, insertCall } from '../../store/calls/calls.ts';
import type { Db, Executor } from '../../store/database.ts';
import type { CallPlan } from './call-plan.ts';
import { decide, decisionJson } from './decide.ts';
import { presentCall } from './present-call.ts';

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
    const at = callPlan.notBefore && callPlan.notBefore > ctx.now ? callPlan.notBefore : ctx.now;
    const decision = await decide(tx, ctx.tenant.id, callPlan, at);
    refuseIfNotAllowed(decision, callPlan);
    const id = options.id ?? newId('call');
    const due = decision.outcome === 'deferred' && decision.nextAllowedAt ? decision.nextAllowedAt : at;
    const scheduled = due.getTime() > ctx.now.getTime();
    const inserted = await insertCall(tx, {
      tenant_id: ctx.tenant.id,
      id,
      kind: callPlan.kind,
      campaign_id: callPlan.campaignId,
      contact_id: callPlan.contactId,
      requested_user_id: callPlan.requestedUserId,
      user_id: null,
      to_number: callPlan.toNumber,
      phone_type: callPlan.phoneType,
      caller_id: callPlan.callerId,
      status: scheduled ? 'scheduled' : 'queued',
      outcome: null,
      reason: callPlan.reason,
      metadata: callPlan.metadata,
      outside_window: callPlan.outsideWindow,
      not_before: callPlan.notBefore,
      scheduled_for: scheduled ? due : null,
      next_attempt_at: due,
      decision: decisionJson(decision),
      sandbox: options.sandbox,
    });
    if (!inserted) {
      throw new ConflictError(
        'conflict',
        `A call with id '${id}' already exists; use a new id or an Idempotency-Key to retry safely.`,
        { pointer: '/id' },
      );
    }
    const row = await findCall(tx, ctx.tenant.id, id);
    if (!row) throw new Error('inserted call vanished');
    const call = presentCall(row, []);
    await appendCallEvent(tx, {
      tenantId: ctx.tenant.id,
      callId: id,
      campaignId: callPlan.campaignId,
      type: scheduled ? 'call.scheduled' : 'call.queued',
      data: {
        call,
        campaignStatus: callPlan.campaignStatus,
        decision: decisionJson(decision),
        requestId: ctx.requestId,
      },
    });
    return call;
  });
}

/** Runs every check of createCall and answers "can I call now?" without writing anything. */
export async function dryRunCall(
  db: Db,
  ctx: RequestContext,
  plan: (tx: Executor) => Promise<CallPlan>,
): Promise<DryRun> {
  return db.transaction().execute(async (tx) => {
    const callPlan = await plan(tx);
    const at = callPlan.notBefore && callPlan.notBefore > ctx.now ? callPlan.notBefore : ctx.now;
    const decision = await decide(tx, ctx.tenant.id, callPlan, at);
    return {
      allowed: decision.outcome === 'allowed',
      decision: decisionJson(decision),
      nextAllowedAt: decision.nextAllowedAt ? decision.nextAllowedAt.toISOString() : null,
    };
  });
}

function refuseIfNotAllowed(decision: Decision, plan: CallPlan): void {
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

function checkMetadata(metadata: Record<string, unknown>): void {
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
