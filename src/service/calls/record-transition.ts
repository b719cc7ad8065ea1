import { type CallStatus, statusesLeadingTo } from '../../domain/call-status.ts';
import type { CallRow } from '../../store/calls/call-rows.ts';
import { insertCallEvent, updateCallForTransition } from '../../store/calls/transition-call.ts';
import type { Executor } from '../../store/database.ts';
import { presentCall } from './present-call.ts';

/**
 * The one writer of a call's status (DESIGN.md "Storage"): moves the call to `status` and
 * appends its timeline entry (with the campaign's status at that moment). The allowed
 * predecessors come from the transition table and are checked by the UPDATE itself
 * (`where status = any(…)`), not against the caller's copy of the row, so a cancel and a dial
 * racing for the same call cannot both win. Returns undefined when the call had already moved
 * to a state from which `status` is not allowed; nothing is written then.
 */
export async function recordTransition(
  tx: Executor,
  call: CallRow,
  status: CallStatus,
  changes: Partial<CallRow>,
  extra: Record<string, unknown>,
  now: Date,
): Promise<CallRow | undefined> {
  const changed = await updateCallForTransition(
    tx,
    call.tenant_id,
    call.id,
    // Any state change ends a wait for an agent (prepare-attempt.ts marks it).
    { ...changes, status, waiting_for_agent: false },
    now,
    statusesLeadingTo(status),
  );
  if (!changed) return undefined;
  await insertCallEvent(tx, {
    tenantId: call.tenant_id,
    callId: call.id,
    campaignId: call.campaign_id,
    sequence: changed.row.event_sequence,
    type: `call.${status}`,
    data: {
      call: presentCall(changed.row, changed.attempts),
      campaignStatus: changed.campaignStatus,
      ...extra,
    },
  });
  return changed.row;
}
