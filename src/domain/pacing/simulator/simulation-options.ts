import type { Jurisdiction } from '../abandonment-rules.ts';
import type { DialingMode } from '../pacing-controller.ts';

/** A synthetic population and team to simulate (the `pconn simulate` flags). */
export interface SimulationOptions {
  mode: DialingMode;
  agents: number;
  hours: number;
  /** Share of dials a live person answers. */
  answerRate: number;
  /** Share of dials a machine answers (detected and hung up; never given to an agent). */
  machineRate: number;
  /** Answered dials ring uniformly between these (seconds). */
  ringMinSeconds: number;
  ringMaxSeconds: number;
  /** Mean talk time (seconds); talk times are lognormal around it. */
  talkMeanSeconds: number;
  /** Sigma of ln(talk time) (default 0.6: a coefficient of variation of about 0.66). */
  talkSigma?: number;
  /** Wrap-up time (seconds): the campaign's wrap-up timeout, which ends every wrap-up here. */
  wrapSeconds: number;
  /** Abandon-rate target (capped by the jurisdiction's own). */
  abandonTarget: number;
  seed: number;
  /** Default us_fcc. */
  jurisdiction?: Jurisdiction;
  /** Default 3. */
  linesPerAgent?: number;
  /** Default: unlimited. */
  trunkLines?: number;
  /** Preview: seconds an agent looks at an offer before accepting it (default 10). */
  previewSeconds?: number;
}

/** What `pconn simulate --json` prints: exactly these keys. */
export interface SimulationSummary {
  mode: DialingMode;
  agents: number;
  hours: number;
  /** Agents' talk time ÷ their logged-in time. */
  occupancy: number;
  /** Abandoned ÷ live answers over the run. */
  abandonRate: number;
  /** The worst hour's abandoned ÷ live answers. */
  maxHourlyAbandonRate: number;
  liveAnswers: number;
  abandoned: number;
  dials: number;
}

/** One hour of the run. */
export interface SimulatedHour {
  hour: number;
  liveAnswers: number;
  abandoned: number;
}

/** A live answer of the run, as an attempt record (for the ledger). */
export interface SimulatedAttempt {
  /** Virtual ms since the start. */
  liveAnsweredAt: number;
  abandoned: boolean;
  /** Seconds from the answer to the agent (null when abandoned). */
  connectedAfterSeconds: number | null;
}

/** Everything a run produced. */
export interface SimulationReport {
  summary: SimulationSummary;
  hourly: SimulatedHour[];
  attempts: SimulatedAttempt[];
}
