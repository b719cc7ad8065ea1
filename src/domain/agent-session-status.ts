/**
 * Personal-connection session states (shared/api-contract.md "User (agent)"): `starting` until
 * the agent answers the one leg pconn keeps up, `ready` while that leg waits on hold for the
 * next contact, `on_call` while it is bridged to one, `ending` once DELETE asked for the end
 * (the leg is hung up after the current call), `ended` for good.
 */
export const AGENT_SESSION_STATUSES = ['starting', 'ready', 'on_call', 'ending', 'ended'] as const;
/** A session state. */
export type AgentSessionStatus = (typeof AGENT_SESSION_STATUSES)[number];

/**
 * The agent's leg as the session sees it: `pending` (not dialled yet: no dialer has taken the
 * session, or the agent is still on an earlier call), `ringing`, `held` (answered, parked on a
 * black hole between contacts), `bridged` (talking to a contact), `ended`.
 */
export const AGENT_LEG_STATES = ['pending', 'ringing', 'held', 'bridged', 'ended'] as const;
/** An agent leg state. */
export type AgentLegState = (typeof AGENT_LEG_STATES)[number];

/** Why a session ended. */
export const SESSION_END_REASONS = [
  /** DELETE /v1/users/{id}/session. */
  'ended_by_request',
  /** The agent's device hung up the leg. */
  'agent_hung_up',
  /** The agent's device did not answer (ring timeout, busy, declined, unregistered). */
  'agent_no_answer',
  /** No response from the agent's device (SIP timeout, transport error, failed re-INVITE). */
  'agent_unreachable',
  /** The user was deleted or disabled before the leg was dialled. */
  'user_unavailable',
  /** The node holding the leg shut down. */
  'node_stopped',
  /** The node holding the leg stopped renewing its lease (crash, restart): the leg is gone. */
  'node_lost',
] as const;
/** Why a session ended. */
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** States in which a session holds (or is about to hold) the agent's leg. */
export const ACTIVE_SESSION_STATUSES: readonly AgentSessionStatus[] = [
  'starting',
  'ready',
  'on_call',
  'ending',
];
