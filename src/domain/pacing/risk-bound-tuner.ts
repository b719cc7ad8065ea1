/*
 * The adaptive half of predictive pacing. The forecast is a model and can be biased (normal
 * approximation, E[max] bounded from below, measurements that drift), so the marginal risk the
 * controller may take per dial is corrected from the abandons actually observed, by stochastic
 * approximation: after each live answer, multiplier ← multiplier · exp(gain · (setPoint − x) /
 * setPoint), x = 1 for an abandon, else 0. It rests where the observed abandon rate equals the
 * set point.
 *
 * The set point is below the legal cap on purpose: rules are judged on counts per hour, day or
 * 30 days, and a small team's hour has few live answers, so a mean rate of 3 % would break 3 %
 * in many hours. With L live answers an hour and cap c, at most ⌊c·L⌋ abandons are allowed; the
 * set point is the largest mean m/L such that a Poisson(m) count stays within that with the
 * given confidence (99 %): about 2 % for 1,400 answers an hour, 0.7 % for 110.
 */

/** Settings of the tuner. */
export interface RiskBoundTunerOptions {
  /** The jurisdiction's cap (0.03). */
  maxAbandonRate: number;
  /** Confidence that an hour stays within the cap (0.99). */
  hourlyConfidence?: number;
  /** Step size of the correction, per live answer (0.01: settles in about 100 answers). */
  gain?: number;
  /** Bounds of the marginal risk the controller may take per dial. */
  minRiskBound?: number;
  maxRiskBound?: number;
}

const HOUR_MS = 3_600_000;

/** The largest Poisson mean m whose P(count ≤ allowed) is at least `confidence`. */
export function safePoissonMean(allowed: number, confidence: number): number {
  const cdf = (m: number) => {
    let term = Math.exp(-m);
    let sum = term;
    for (let k = 1; k <= allowed; k++) {
      term *= m / k;
      sum += term;
    }
    return sum;
  };
  let low = 0;
  let high = allowed + 10;
  for (let i = 0; i < 50; i++) {
    const mid = (low + high) / 2;
    if (cdf(mid) >= confidence) low = mid;
    else high = mid;
  }
  return low;
}

/** Learns the marginal abandon risk per dial that holds the observed rate at the set point. */
export class RiskBoundTuner {
  readonly #cap: number;
  readonly #confidence: number;
  readonly #gain: number;
  readonly #min: number;
  readonly #max: number;
  readonly #answers: number[] = [];
  #head = 0;
  #firstAt: number | null = null;
  #multiplier = 1;
  #setPoint: number;
  #cachedFor = -1;
  #allowed = -1;

  constructor(options: RiskBoundTunerOptions) {
    this.#cap = options.maxAbandonRate;
    this.#confidence = options.hourlyConfidence ?? 0.99;
    this.#gain = options.gain ?? 0.01;
    this.#min = options.minRiskBound ?? options.maxAbandonRate / 10;
    this.#max = options.maxRiskBound ?? 0.5;
    this.#setPoint = options.maxAbandonRate / 2;
  }

  /**
   * A live answer at `at` (ms), abandoned or connected. `paced`: it came from a dial the
   * forecast chose. Others (one dial per agent while ramping, progressive while restricted)
   * count towards the answers an hour but do not move the bound: they say nothing about the
   * forecast, and letting them raise it would wind the bound up while it is not in use.
   */
  observe(at: number, abandoned: boolean, paced = true): void {
    this.#firstAt ??= at;
    this.#answers.push(at);
    while ((this.#answers[this.#head] ?? at) <= at - HOUR_MS) this.#head++;
    if (this.#head > 4096) {
      this.#answers.splice(0, this.#head);
      this.#head = 0;
    }
    this.#updateSetPoint(at);
    if (!paced) return;
    const x = abandoned ? 1 : 0;
    // Normalised by the set point, so the tuner settles in about 1/gain live answers whether
    // the team is large (set point near the cap) or small (set point far below it).
    this.#multiplier *= Math.exp((this.#gain * (this.#setPoint - x)) / this.#setPoint);
    const bound = this.#cap * this.#multiplier;
    if (bound < this.#min) this.#multiplier = this.#min / this.#cap;
    if (bound > this.#max) this.#multiplier = this.#max / this.#cap;
  }

  #updateSetPoint(at: number): void {
    // Live answers an hour, extrapolated from the part of the first hour seen so far.
    const seen = Math.max(at - (this.#firstAt ?? at), HOUR_MS / 6);
    const perHour = ((this.#answers.length - this.#head) * HOUR_MS) / Math.min(seen, HOUR_MS);
    const rounded = Math.max(1, Math.round(perHour));
    if (rounded === this.#cachedFor) return;
    this.#cachedFor = rounded;
    const allowed = Math.floor(this.#cap * rounded + 1e-9);
    this.#allowed = allowed;
    this.#setPoint = Math.min(this.#cap, safePoissonMean(allowed, this.#confidence) / rounded);
  }

  /** The abandon rate the tuner steers to. */
  get setPoint(): number {
    return this.#setPoint;
  }

  /**
   * The marginal abandon probability the controller may accept for one more dial's live answer:
   * 0 while the team answers too few calls an hour for even one abandon to stay within the cap
   * (fewer than 1 ÷ cap: 34 at 3 %), so such a team only makes dials that cannot abandon.
   */
  get riskBound(): number {
    return this.#allowed === 0 ? 0 : this.#cap * this.#multiplier;
  }
}
