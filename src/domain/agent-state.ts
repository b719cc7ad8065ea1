import { ConflictError } from './pconn-error.ts';

/*
 * The agent state machine of the dialing modes (issue 17). Pure: a transition takes the state
 * and an event with its instant and returns the next state plus the change to publish (with the
 * time spent in the state left), so the dialer, the API and the simulator share one set of rules
 * and a state change can be replayed from its events. Instants are milliseconds (epoch ms in the
 * dialer, virtual ms in the simulator); callers read them from their Clock.
 *
 *   available ──reserve──▶ reserved ──connect──▶ on_call ──hang_up──▶ wrap_up
 *       ▲  │ ▲                │release                                 │ disposition / wrap_timeout
 *       │  │ └────────────────┘                                        │
 *       │  └──connect (predictive: a live answer goes straight to the longest-idle agent)
 *       └──────────────────────────────────────────────────────────────┘
 *   available / wrap_up ──pause(reason)──▶ paused ──resume──▶ available
 */

/** Where an agent is in the dialing cycle. */
export const AGENT_STATES = ['available', 'reserved', 'on_call', 'wrap_up', 'paused'] as const;
/** One agent state. */
export type AgentStateName = (typeof AGENT_STATES)[number];

/** An agent's current state, when it was entered, and what it is about. */
export interface AgentState {
  name: AgentStateName;
  /** When the state was entered (ms). */
  since: number;
  /** `paused`: why (break, training, …). */
  pauseReason?: string;
  /** `reserved` / `on_call` / `wrap_up`: the call the agent is held for or talking on. */
  callId?: string;
}

/** What happens to an agent. */
export type AgentEvent =
  | { type: 'reserve'; callId: string }
  | { type: 'release' }
  | { type: 'connect'; callId: string }
  | { type: 'hang_up' }
  | { type: 'disposition'; code: string }
  | { type: 'wrap_timeout' }
  | { type: 'pause'; reason: string }
  | { type: 'resume' };

/** A state change to publish as an event and a metric. */
export interface AgentStateChange {
  from: AgentStateName;
  to: AgentStateName;
  at: number;
  /** Time spent in `from` (ms). */
  durationMs: number;
  event: AgentEvent['type'];
  callId?: string;
  pauseReason?: string;
  dispositionCode?: string;
}

/** The result of one transition. */
export interface AgentTransition {
  state: AgentState;
  change: AgentStateChange;
}

/** An event the agent's current state does not accept (e.g. a disposition while available). */
export class InvalidAgentTransitionError extends ConflictError {
  constructor(from: AgentStateName, event: AgentEvent['type']) {
    super('conflict', `An agent who is ${from} cannot take '${event}'.`, {
      extensions: { agentState: from, agentEvent: event },
    });
  }
}

// Which events each state accepts, and where they lead. Absent: refused with a typed error.
const NEXT: Record<AgentStateName, Partial<Record<AgentEvent['type'], AgentStateName>>> = {
  available: { reserve: 'reserved', connect: 'on_call', pause: 'paused' },
  reserved: { connect: 'on_call', release: 'available' },
  on_call: { hang_up: 'wrap_up' },
  wrap_up: { disposition: 'available', wrap_timeout: 'available', pause: 'paused' },
  paused: { resume: 'available' },
};

/** A freshly logged-in agent. */
export function agentLoggedIn(at: number): AgentState {
  return { name: 'available', since: at };
}

/** True when `state` accepts `event`. */
export function canTransition(state: AgentState, event: AgentEvent['type']): boolean {
  return NEXT[state.name][event] !== undefined;
}

/** Applies one event at instant `at`; throws InvalidAgentTransitionError when not allowed. */
export function transitionAgent(state: AgentState, event: AgentEvent, at: number): AgentTransition {
  const to = NEXT[state.name][event.type];
  if (to === undefined) throw new InvalidAgentTransitionError(state.name, event.type);
  // A late event (clocks of two nodes) never yields a negative duration.
  const when = Math.max(at, state.since);
  const callId =
    event.type === 'reserve' || event.type === 'connect'
      ? event.callId
      : to === 'wrap_up'
        ? state.callId
        : undefined;
  const next: AgentState = { name: to, since: when };
  if (callId !== undefined) next.callId = callId;
  if (event.type === 'pause') next.pauseReason = event.reason;
  const change: AgentStateChange = {
    from: state.name,
    to,
    at: when,
    durationMs: when - state.since,
    event: event.type,
  };
  const about = callId ?? state.callId;
  if (about !== undefined) change.callId = about;
  if (event.type === 'pause') change.pauseReason = event.reason;
  if (state.name === 'paused' && state.pauseReason !== undefined) change.pauseReason = state.pauseReason;
  if (event.type === 'disposition') change.dispositionCode = event.code;
  return { state: next, change };
}
