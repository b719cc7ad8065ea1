import type { Call } from '../../contract/calls.ts';
import type { Decision } from '../../domain/compliance/index.ts';
import { newId } from '../../domain/ids.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { CallRow } from '../../store/calls/call-rows.ts';
import type { NewCallRecord } from '../../store/calls/write-new-calls.ts';
import type { CallPlan } from './call-plan.ts';
import { decisionJson } from './decide.ts';
import { presentCall } from './present-call.ts';

/** A call ready to insert, as it will be answered. */
export interface NewCall {
  record: NewCallRecord;
  call: Call;
}

/**
 * The row, first timeline entry and answer of an accepted call. A call deferred by its window
 * (or by `notBefore`) is `scheduled` for its due time; otherwise `queued`. Timestamps are the
 * request's, so the answer needs no read-back.
 */
export function newCall(
  ctx: RequestContext,
  plan: CallPlan,
  decision: Decision,
  at: Date,
  options: { id?: string; sandbox: boolean },
): NewCall {
  const id = options.id ?? newId('call');
  const due = decision.outcome === 'deferred' && decision.nextAllowedAt ? decision.nextAllowedAt : at;
  const scheduled = due.getTime() > ctx.now.getTime();
  const decisionData = decisionJson(decision);
  const row: NewCallRecord['row'] = {
    tenant_id: ctx.tenant.id,
    id,
    kind: plan.kind,
    campaign_id: plan.campaignId,
    contact_id: plan.contactId,
    requested_user_id: plan.requestedUserId,
    user_id: null,
    to_number: plan.toNumber,
    phone_type: plan.phoneType,
    caller_id: plan.callerId,
    status: scheduled ? 'scheduled' : 'queued',
    outcome: null,
    reason: plan.reason,
    metadata: plan.metadata,
    outside_window: plan.outsideWindow,
    not_before: plan.notBefore,
    scheduled_for: scheduled ? due : null,
    next_attempt_at: due,
    attempts_made: 0,
    sandbox: options.sandbox,
    event_sequence: 1,
    lease_owner: null,
    leased_until: null,
    cancel_requested: false,
    waiting_for_agent: false,
    created_at: ctx.now,
    updated_at: ctx.now,
    trace_context: ctx.traceContext ?? null,
  };
  const call = presentCall(row as Omit<CallRow, 'seq'>, []);
  return {
    call,
    record: {
      row,
      event: {
        type: scheduled ? 'call.scheduled' : 'call.queued',
        data: { call, campaignStatus: plan.campaignStatus, decision: decisionData, requestId: ctx.requestId },
      },
    },
  };
}
