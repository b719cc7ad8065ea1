import { type DurationModel, HistogramModel, LognormalModel } from './duration-models.ts';

/*
 * Live measurements of one campaign for the pacing controller, over a sliding window of recent
 * dials and calls so the controller follows a list or a time of day that changes: how dials end
 * (live person, machine, nothing), how long answered calls rang, talk and wrap-up durations.
 */

/** How a dial ended, as pacing sees it. */
export type DialOutcome = 'live' | 'machine' | 'no_answer' | 'failed';

/** What the controller reads: rates and duration models. */
export interface PacingMeasurements {
  /** Finished dials the rates are measured on. */
  dials: number;
  /** Live answers ÷ dials. */
  liveRate: number;
  /** Machine answers ÷ dials. */
  machineRate: number;
  /** Connected calls whose talk time is measured (the talk model's sample). */
  talks: number;
  /** Ring time of answered dials (live or machine), until the answer. */
  ring: DurationModel;
  /** Talk time of connected calls. */
  talk: DurationModel;
  /** Wrap-up time. */
  wrap: DurationModel;
}

const OUTCOME_CODES: Record<DialOutcome, number> = { live: 0, machine: 1, no_answer: 2, failed: 3 };

/** Collects a campaign's measurements as dials and calls end. */
export class PacingStatistics {
  readonly #ring: HistogramModel;
  readonly #wrap: HistogramModel;
  readonly #outcomes: number[] = [];
  readonly #outcomeCounts = [0, 0, 0, 0];
  readonly #talkLogs: number[] = [];
  readonly #window: number;
  #outcomeNext = 0;
  #talkNext = 0;
  #logSum = 0;
  #logSquares = 0;
  #talk: LognormalModel;
  #talkRecords = 0;

  /** `priorTalkMean`: the talk model's mean until a call has ended (seconds). */
  constructor(window = 2000, priorTalkMean = 120) {
    this.#window = window;
    this.#ring = new HistogramModel(window);
    this.#wrap = new HistogramModel(window);
    this.#talk = LognormalModel.withMean(priorTalkMean, 0.8);
  }

  /** A dial ended; `ringSeconds` is how long it rang before the answer (answered dials). */
  recordDial(outcome: DialOutcome, ringSeconds: number): void {
    const code = OUTCOME_CODES[outcome];
    if (this.#outcomes.length === this.#window) {
      const old = this.#outcomes[this.#outcomeNext] ?? 0;
      this.#outcomeCounts[old] = (this.#outcomeCounts[old] ?? 0) - 1;
      this.#outcomes[this.#outcomeNext] = code;
      this.#outcomeNext = (this.#outcomeNext + 1) % this.#window;
    } else {
      this.#outcomes.push(code);
    }
    this.#outcomeCounts[code] = (this.#outcomeCounts[code] ?? 0) + 1;
    if (outcome === 'live' || outcome === 'machine') this.#ring.add(ringSeconds);
  }

  /** A connected call ended after `seconds` of talk. */
  recordTalk(seconds: number): void {
    const log = Math.log(Math.max(seconds, 0.5));
    if (this.#talkLogs.length === this.#window) {
      const old = this.#talkLogs[this.#talkNext] ?? 0;
      this.#logSum -= old;
      this.#logSquares -= old * old;
      this.#talkLogs[this.#talkNext] = log;
      this.#talkNext = (this.#talkNext + 1) % this.#window;
    } else {
      this.#talkLogs.push(log);
    }
    this.#logSum += log;
    this.#logSquares += log * log;
    const n = this.#talkLogs.length;
    // Refit every 10 calls once there are 50: a new fit drops the model's cached CDF table.
    if (n >= 50 && this.#talkRecords++ % 10 !== 0) return;
    const mu = this.#logSum / n;
    // With one call the spread is unknown: keep a wide one rather than claim certainty.
    const variance = n < 2 ? 0.64 : Math.max(0, (this.#logSquares - n * mu * mu) / (n - 1));
    this.#talk = new LognormalModel(mu, Math.sqrt(variance));
  }

  /** A wrap-up ended after `seconds`. */
  recordWrap(seconds: number): void {
    this.#wrap.add(seconds);
  }

  /** The current measurements. */
  measurements(): PacingMeasurements {
    const dials = this.#outcomes.length;
    return {
      dials,
      liveRate: dials === 0 ? 0 : (this.#outcomeCounts[0] ?? 0) / dials,
      machineRate: dials === 0 ? 0 : (this.#outcomeCounts[1] ?? 0) / dials,
      talks: this.#talkLogs.length,
      ring: this.#ring,
      talk: this.#talk,
      wrap: this.#wrap,
    };
  }
}
