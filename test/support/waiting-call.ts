/** A direct call row waiting to be dialled, for claim tests; `changes` sets its agent and due times. */
export function waitingCall(
  id: string,
  changes: { userId?: string; nextAttemptAt?: Date; scheduledFor?: Date | null } = {},
) {
  return {
    tenant_id: 'a',
    id,
    kind: 'direct',
    campaign_id: null,
    contact_id: null,
    requested_user_id: changes.userId ?? 'u',
    user_id: null,
    to_number: '+12125550100',
    phone_type: null,
    caller_id: null,
    status: 'queued',
    outcome: null,
    reason: null,
    metadata: {},
    outside_window: 'reject',
    not_before: null,
    scheduled_for: changes.scheduledFor ?? null,
    next_attempt_at: changes.nextAttemptAt ?? new Date(Date.now() - 1000),
    sandbox: true,
  } as const;
}
