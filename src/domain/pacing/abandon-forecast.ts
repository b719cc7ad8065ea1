import { conditionalEndBy, normalCdf, normalPdf } from './duration-models.ts';
import type { PacingMeasurements } from './pacing-statistics.ts';

/*
 * The forecast behind predictive pacing: how many live answers will find no agent if we launch
 * `n` more dials now.
 *
 * Over the next H seconds (the longest ring), second by second (k = 1…H):
 *   a_k = live answers in second k: a dial that has rung e s answers live in it with
 *         pLive·(G(e+k) − G(e+k−1)) / (1 − pAnswer·G(e)), G the answered-ring CDF; a new dial
 *         with pLive·(G(k) − G(k−1));
 *   s_k = agents who become free for an answer of second k, i.e. by k + 2 s (the connect
 *         window): one in wrap-up from the rest of its wrap-up, one on a call from the rest of
 *         its talk (the talk model conditioned on the talk so far) plus the mean wrap-up.
 * Free agents wait in a pool P; an answer takes one from it or is abandoned, and within the
 * horizon no agent who takes a call comes back (talk ≫ H). So, exactly,
 *   P_k = max(0, P_{k−1} + s_k − a_k),   abandons_k = max(0, a_k − P_{k−1} − s_k),
 * starting from P_0 = the available agents less the answers already waiting. This is Lindley's
 * recursion of a queue. We carry P as a normal variable by its first two moments (a reflected
 * normal, moment-matched each second; a and s as sums of independent Bernoulli steps) and sum
 * the expected abandons. Approximations (normal tails, independent steps) remain; the risk
 * tuner corrects what they leave from the abandons actually observed.
 */

/** An agent as the forecast sees it: what it is doing and for how long (seconds). */
export interface AgentSnapshot {
  state: 'available' | 'reserved' | 'on_call' | 'wrap_up' | 'paused';
  elapsedSeconds: number;
}

/** The forecast's view of now: measurements, agents and unassigned ringing dials. */
export interface ForecastInput {
  measurements: PacingMeasurements;
  agents: readonly AgentSnapshot[];
  /** Ringing dials with no agent reserved: seconds each has rung. */
  ringingSeconds: readonly number[];
  /** Live answers waiting for an agent right now. */
  waitingAnswers: number;
  /** The connect window (2 s). */
  connectWithinSeconds: number;
  /** The longest ring to look at (seconds); dials ring out after it. */
  horizonSeconds: number;
}

/** Per-grid-point sums, so evaluating another `n` costs O(H). */
export interface AbandonForecast {
  /** Expected live answers from the ringing dials and waiting answers over the horizon. */
  baseLiveAnswers: number;
  /** Expected live answers of one new dial over the horizon. */
  liveAnswersPerDial: number;
  /**
   * Busy agents (wrap-up, on a call) certain to be free before a dial started now can be
   * answered (the shortest answered ring plus the connect window): as good as available for it.
   */
  freeBeforeFirstAnswer: number;
  /** Expected abandons over the horizon if `n` more dials start now. */
  expectedAbandons(n: number): number;
}

// Agents whose chance of being free within the horizon is below this are left out (speed).
const NEGLIGIBLE = 1e-4;
// …and above this, certain.
const SURE = 1 - 1e-6;

/** P(the agent is free within t seconds), as a function of t. */
function freeByFor(input: ForecastInput, agent: AgentSnapshot): (t: number) => number {
  const { measurements } = input;
  switch (agent.state) {
    case 'available':
      return () => 1;
    case 'wrap_up':
      return (t) => conditionalEndBy(measurements.wrap, agent.elapsedSeconds, t);
    case 'on_call': {
      // The rest of the talk, then a mean wrap-up; the talk's CDF so far is read once.
      const talk = measurements.talk;
      const wrap = measurements.wrap.mean();
      const elapsed = agent.elapsedSeconds;
      const done = talk.cdf(elapsed);
      if (done >= 1 - 1e-12) return (t) => (t >= wrap ? 1 : 0);
      return (t) => (t <= wrap ? 0 : Math.max(0, (talk.cdf(elapsed + t - wrap) - done) / (1 - done)));
    }
    default:
      // Reserved agents are held for their own dial; paused ones take nothing.
      return () => 0;
  }
}

/** Builds the forecast for the current state. */
export function forecastAbandons(input: ForecastInput): AbandonForecast {
  const { measurements, connectWithinSeconds: grace } = input;
  const steps = Math.max(1, Math.ceil(input.horizonSeconds));
  const pLive = measurements.liveRate;
  const pAnswer = Math.min(1, measurements.liveRate + measurements.machineRate);
  const ring = measurements.ring;
  // Per second k: means and variances of answers (a) and of agents freed (s); new-dial steps.
  const meanA = new Float64Array(steps + 1);
  const varA = new Float64Array(steps + 1);
  const meanS = new Float64Array(steps + 1);
  const varS = new Float64Array(steps + 1);
  const newStep = new Float64Array(steps + 1);
  const ringCdf = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) ringCdf[k] = ring.cdf(k);
  for (const elapsed of input.ringingSeconds) {
    const before = ring.cdf(elapsed);
    const ringing = 1 - pAnswer * before;
    if (ringing <= 1e-9) continue;
    let previous = before;
    for (let k = 1; k <= steps; k++) {
      const now = ring.cdf(elapsed + k);
      const q = (pLive * (now - previous)) / ringing;
      previous = now;
      meanA[k] = (meanA[k] ?? 0) + q;
      varA[k] = (varA[k] ?? 0) + q * (1 - q);
    }
  }
  let liveFromRinging = 0;
  for (let k = 1; k <= steps; k++) {
    liveFromRinging += meanA[k] ?? 0;
    newStep[k] = pLive * ((ringCdf[k] ?? 0) - (ringCdf[k - 1] ?? 0));
  }
  // No answered dial has rung less than this (whole seconds).
  let shortestRing = 0;
  while (shortestRing < steps && (ringCdf[shortestRing + 1] ?? 0) === 0) shortestRing++;
  let freeBeforeFirstAnswer = 0;
  let pool = -input.waitingAnswers;
  let poolVariance = 0;
  for (const agent of input.agents) {
    if (agent.state === 'available') {
      pool += 1;
      continue;
    }
    const freeWithin = freeByFor(input, agent);
    if (freeWithin(steps + grace) < NEGLIGIBLE) continue;
    if (freeWithin(shortestRing + grace) >= SURE) freeBeforeFirstAnswer += 1;
    let previous = freeWithin(grace);
    pool += previous;
    poolVariance += previous * (1 - previous);
    for (let k = 1; k <= steps; k++) {
      const now = freeWithin(k + grace);
      const f = now - previous;
      previous = now;
      meanS[k] = (meanS[k] ?? 0) + f;
      varS[k] = (varS[k] ?? 0) + f * (1 - f);
    }
  }
  return {
    baseLiveAnswers: liveFromRinging + input.waitingAnswers,
    liveAnswersPerDial: pLive * (ringCdf[steps] ?? 0),
    freeBeforeFirstAnswer,
    expectedAbandons(n: number): number {
      // Second 0: answers already waiting against agents free now or within the window.
      let abandons = expectedPositivePart(-pool, poolVariance);
      let mean = expectedPositivePart(pool, poolVariance);
      let variance = Math.max(0, secondMomentOfPositivePart(pool, poolVariance) - mean * mean);
      for (let k = 1; k <= steps; k++) {
        const d = newStep[k] ?? 0;
        const m = mean + (meanS[k] ?? 0) - (meanA[k] ?? 0) - n * d;
        const v = variance + (varS[k] ?? 0) + (varA[k] ?? 0) + n * d * (1 - d);
        abandons += expectedPositivePart(-m, v);
        mean = expectedPositivePart(m, v);
        variance = Math.max(0, secondMomentOfPositivePart(m, v) - mean * mean);
      }
      return abandons;
    },
  };
}

/** E[X⁺] for X ~ Normal(mean, variance). */
export function expectedPositivePart(mean: number, variance: number): number {
  if (variance <= 1e-12) return Math.max(0, mean);
  const sd = Math.sqrt(variance);
  const z = mean / sd;
  return mean * normalCdf(z) + sd * normalPdf(z);
}

/** E[(X⁺)²] for X ~ Normal(mean, variance). */
export function secondMomentOfPositivePart(mean: number, variance: number): number {
  if (variance <= 1e-12) return mean > 0 ? mean * mean : 0;
  const sd = Math.sqrt(variance);
  const z = mean / sd;
  return (mean * mean + variance) * normalCdf(z) + mean * sd * normalPdf(z);
}
