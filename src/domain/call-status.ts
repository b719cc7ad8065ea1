/** Call states (shared/api-contract.md, "Call object"). */
export const CALL_STATUSES = [
  'queued',
  'scheduled',
  'dialing_user',
  'dialing_contact',
  'connected',
  'completed',
  'failed',
  'canceled',
  'blocked',
] as const;
/** A call state. */
export type CallStatus = (typeof CALL_STATUSES)[number];

/** States a call never leaves; each call emits exactly one terminal event. */
export const TERMINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  'completed',
  'failed',
  'canceled',
  'blocked',
]);
/** States in which telephony legs may be up. */
export const LIVE_STATUSES: readonly CallStatus[] = ['dialing_user', 'dialing_contact', 'connected'];
/** States waiting for the dialer. */
export const WAITING_STATUSES: readonly CallStatus[] = ['queued', 'scheduled'];

// The transition table as data: from → allowed next states. A call taken by an agent's
// personal-connection session skips dialing_user: the agent's leg is already up.
const NEXT: Record<CallStatus, readonly CallStatus[]> = {
  queued: ['scheduled', 'dialing_user', 'dialing_contact', 'blocked', 'canceled', 'failed'],
  scheduled: ['queued', 'scheduled', 'dialing_user', 'dialing_contact', 'blocked', 'canceled', 'failed'],
  dialing_user: ['dialing_contact', 'queued', 'scheduled', 'failed', 'canceled'],
  dialing_contact: ['connected', 'queued', 'scheduled', 'failed', 'canceled'],
  connected: ['completed', 'canceled'],
  completed: [],
  failed: [],
  canceled: [],
  blocked: [],
};

/**
 * The states a call may be in for a write of `to` to apply: every state the table lets move to
 * `to`, and `to` itself when it is not terminal (a re-scheduled call stays scheduled, a step
 * written twice by recovery and a late driver event is the same step).
 */
export function statusesLeadingTo(to: CallStatus): CallStatus[] {
  const from = CALL_STATUSES.filter((status) => NEXT[status].includes(to));
  if (!TERMINAL_STATUSES.has(to) && !from.includes(to)) from.push(to);
  return from;
}

/** True when a call may move from `from` to `to`. */
export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}

/** What ended an attempt. */
export const CALL_OUTCOMES = [
  'answered',
  'busy',
  'no_answer',
  'invalid_number',
  'rejected',
  'network_error',
  'agent_no_answer',
  'canceled',
  // The contact answered but was never connected to an agent (e.g. the bridge failed): they
  // heard nothing. Never a quiet retry — an abandoned call for the dialing-modes ledger.
  'abandoned',
  // Answer detection heard a machine (and it was hung up or given the machine message), or a
  // fax; SIT tones settle as invalid_number (docs/media.md).
  'machine',
  'fax',
] as const;
/** What ended an attempt. */
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Outcomes a campaign's retry policy decides on. */
export type RetryableOutcome =
  | 'busy'
  | 'no_answer'
  | 'network_error'
  | 'invalid_number'
  | 'rejected'
  | 'machine'
  | 'fax';

/**
 * Maps a SIP final response to an outcome (DESIGN.md "Telephony"): 486/600 busy, 408/480
 * no_answer, 404/484/604 invalid_number, 603 rejected, anything else ≥ 400 network_error.
 */
export function outcomeForSipStatus(status: number): CallOutcome {
  if (status >= 200 && status < 300) return 'answered';
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480 || status === 487) return 'no_answer';
  if (status === 404 || status === 484 || status === 604) return 'invalid_number';
  if (status === 603) return 'rejected';
  return 'network_error';
}
