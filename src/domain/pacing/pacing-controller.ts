import { type AgentSnapshot, forecastAbandons } from './abandon-forecast.ts';
import type { PacingMeasurements } from './pacing-statistics.ts';

/*
 * How many dials a campaign launches now. Pure: the dialer (or the simulator) calls it whenever
 * something changed and at least once a second, with the campaign's live measurements.
 *
 * - preview / progressive: one dial (or offer) per available agent, each with that agent
 *   reserved, so a live answer always has its agent: these modes never abandon.
 * - predictive: contact-first, no agent reserved. It starts like progressive (one dial per
 *   available agent) until `rampMinDials` dials have ended and the measurements mean something,
 *   then lets the lines per agent grow linearly to `linesPerAgent` over `rampFullAfterDials`.
 *   Within that, it adds dials one at a time while (a) the forecast's extra expected abandons of
 *   the next dial, per live answer it is expected to bring, stay within `riskBound` (the tuner's
 *   marginal risk), and (b) the abandons the new dials are expected to add stay within what the
 *   ledger still allows: its headroom + cap × the live answers they are expected to bring. A ledger
 *   that is restricted (cap reached) drops the campaign to progressive.
 * Every mode stays within the trunk's lines (ringing dials, waiting answers and connected calls
 * all hold one).
 */

/** A campaign's dialing mode. */
export const DIALING_MODES = ['preview', 'progressive', 'predictive'] as const;
/** One dialing mode. */
export type DialingMode = (typeof DIALING_MODES)[number];

/** Hard limits of a campaign's dialing. */
export interface PacingLimits {
  /** Dials ringing at once per staffed (not paused) agent. */
  linesPerAgent: number;
  /** Lines of the trunk the campaign may hold (ringing, waiting and connected calls). */
  trunkLines: number;
}

/** The ledger as pacing needs it. */
export interface LedgerBudget {
  /** Further abandons the governing span allows now (may be negative). */
  headroom: number;
  /** The cap is reached: dial progressively. */
  restricted: boolean;
  /** The cap (0.03): each further live answer allows this much more. */
  maxAbandonRate: number;
}

/** Everything the controller decides on. */
export interface PacingInput {
  mode: DialingMode;
  measurements: PacingMeasurements;
  agents: readonly AgentSnapshot[];
  /** Ringing dials without a reserved agent (predictive): seconds each has rung. */
  ringingSeconds: readonly number[];
  /** Ringing dials with an agent reserved (progressive, preview, restricted). */
  reservedDials: number;
  /** Live answers waiting (within the connect window) for an agent. */
  waitingAnswers: number;
  limits: PacingLimits;
  ledger: LedgerBudget;
  /** Marginal abandon probability allowed per live answer of one more dial (the tuner's). */
  riskBound: number;
  /** The connect window: 2 s. */
  connectWithinSeconds: number;
  /** Dials give up ringing after this (seconds): the forecast's horizon. */
  ringTimeoutSeconds: number;
  /** Ended dials before predictive leaves one dial per available agent (default 30). */
  rampMinDials?: number;
  /** Ended dials by which the full lines per agent are allowed (default 300). */
  rampFullAfterDials?: number;
  /** Ended calls (measured talk times) before predictive leaves one dial per agent (default 20). */
  rampMinCalls?: number;
  /** Ended calls by which the full lines per agent are allowed (default 100). */
  rampFullAfterCalls?: number;
}

/** Why the controller dialled what it did. */
export type PacingReason = 'one_per_agent' | 'ramp' | 'forecast' | 'restricted' | 'lines' | 'trunk';

/** The decision. */
export interface PacingDecision {
  /** Dials (or, in preview, offers) to start now. */
  dials: number;
  /** Each dial reserves an available agent before it starts. */
  reserveAgents: boolean;
  /** The mode actually applied (predictive drops to progressive when restricted). */
  appliedMode: DialingMode;
  reason: PacingReason;
  /** Forecast of the abandons these dials add over the horizon (0 when agents are reserved). */
  expectedAbandons: number;
  /** What the ledger allows these dials: headroom + cap × the live answers they should bring. */
  allowedAbandons: number;
}

/** The decision for now. */
export function decideDials(input: PacingInput): PacingDecision {
  const agents = input.agents;
  const available = agents.filter((a) => a.state === 'available').length;
  const staffed = agents.filter((a) => a.state !== 'paused').length;
  const connected = agents.filter((a) => a.state === 'on_call').length;
  const ringing = input.ringingSeconds.length;
  const linesHeld = ringing + input.reservedDials + input.waitingAnswers + connected;
  const trunkRoom = Math.max(0, input.limits.trunkLines - linesHeld);
  // Answers already on their way may take any available agent: only the others are free.
  const unclaimed = Math.max(0, available - ringing - input.waitingAnswers);
  const lineCap = Math.floor(input.limits.linesPerAgent * staffed + 1e-9);
  const lineRoom = Math.max(0, lineCap - ringing - input.reservedDials);
  const reserved = (appliedMode: DialingMode, reason: PacingReason): PacingDecision => {
    const dials = Math.min(unclaimed, trunkRoom, lineRoom);
    return {
      dials,
      reserveAgents: true,
      appliedMode,
      reason: dials === unclaimed ? reason : dials === trunkRoom ? 'trunk' : 'lines',
      expectedAbandons: 0,
      allowedAbandons: 0,
    };
  };
  if (input.mode !== 'predictive') return reserved(input.mode, 'one_per_agent');
  if (input.ledger.restricted) return reserved('progressive', 'restricted');

  const m = input.measurements;
  const rampMin = input.rampMinDials ?? 30;
  const rampFull = input.rampFullAfterDials ?? 300;
  const rampMinCalls = input.rampMinCalls ?? 20;
  const rampFullCalls = input.rampFullAfterCalls ?? 100;
  // Until calls have ended, the talk model is a guess: forecasting agents freeing up from it
  // would overdial exactly when nothing is known.
  if (m.dials < rampMin || m.talks < rampMinCalls) {
    const dials = Math.min(unclaimed, trunkRoom, lineRoom);
    return {
      dials,
      reserveAgents: false,
      appliedMode: 'predictive',
      reason: 'one_per_agent',
      expectedAbandons: 0,
      allowedAbandons: 0,
    };
  }
  const progress = Math.min(
    1,
    (m.dials - rampMin) / Math.max(1, rampFull - rampMin),
    (m.talks - rampMinCalls) / Math.max(1, rampFullCalls - rampMinCalls),
  );
  const rampLines = Math.floor(staffed * (1 + (input.limits.linesPerAgent - 1) * progress));
  const rampRoom = Math.max(0, rampLines - ringing - input.reservedDials);
  const most = Math.min(trunkRoom, lineRoom, rampRoom);

  const forecast = forecastAbandons({
    measurements: m,
    agents,
    ringingSeconds: input.ringingSeconds,
    waitingAnswers: input.waitingAnswers,
    connectWithinSeconds: input.connectWithinSeconds,
    horizonSeconds: input.ringTimeoutSeconds,
  });
  const perDial = forecast.liveAnswersPerDial;
  // Dials already ringing are spent; what new dials are expected to add must fit in the ledger.
  const allowed = (n: number) =>
    Math.max(0, input.ledger.headroom) + input.ledger.maxAbandonRate * n * perDial;
  // One dial per agent no ringing dial or waiting answer can claim never abandons: agents
  // available now, and busy ones sure to be free before a new dial can be answered (in wrap-up
  // with less left than the shortest ring). Always make those. What the forecast charges them
  // (its approximations are not exact) is not held against the dials past them.
  const safe = Math.max(0, available + forecast.freeBeforeFirstAnswer - ringing - input.waitingAnswers);
  let dials = Math.min(safe, most);
  const already = forecast.expectedAbandons(dials);
  let expected = already;
  while (dials < most) {
    const next = forecast.expectedAbandons(dials + 1);
    if (next - expected > input.riskBound * perDial + 1e-12) break;
    if (next - already > allowed(dials + 1)) break;
    dials += 1;
    expected = next;
  }
  const reason: PacingReason =
    dials < most ? 'forecast' : most === trunkRoom ? 'trunk' : most === lineRoom ? 'lines' : 'ramp';
  return {
    dials,
    reserveAgents: false,
    appliedMode: 'predictive',
    reason,
    expectedAbandons: expected - already,
    allowedAbandons: allowed(dials),
  };
}
