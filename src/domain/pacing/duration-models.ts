/*
 * Duration distributions the pacing forecast reads: "given that this has lasted `elapsed`
 * seconds, how likely is it over within `t` more?" Talk times are fitted as lognormal (their
 * usual shape: skewed, never negative); ring and wrap-up times are kept as measured, in 1-second
 * bins, because they are bounded and often far from any textbook shape.
 */

/** A duration distribution, in seconds. */
export interface DurationModel {
  /** P(duration ≤ d). */
  cdf(d: number): number;
  /** Mean duration. */
  mean(): number;
}

/** P(over within `t` more seconds | lasted `elapsed` so far). */
export function conditionalEndBy(model: DurationModel, elapsed: number, t: number): number {
  const done = model.cdf(elapsed);
  if (done >= 1 - 1e-12) return 1;
  return Math.min(1, Math.max(0, (model.cdf(elapsed + t) - done) / (1 - done)));
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf; error < 1.5e-7, ample for pacing). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * x);
  const poly =
    k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** A lognormal distribution: ln(duration) ~ Normal(mu, sigma²). */
export class LognormalModel implements DurationModel {
  constructor(
    readonly mu: number,
    readonly sigma: number,
  ) {}

  /** The lognormal with this mean and this sigma of the log. */
  static withMean(mean: number, sigma: number): LognormalModel {
    return new LognormalModel(Math.log(mean) - (sigma * sigma) / 2, sigma);
  }

  // The CDF on a 1-second grid, filled on demand: the forecast asks for thousands of points a
  // second, and linear interpolation between whole seconds is far finer than pacing needs.
  #table: Float64Array | null = null;

  cdf(d: number): number {
    if (d <= 0) return 0;
    if (this.sigma <= 1e-9) return Math.log(d) >= this.mu ? 1 : 0;
    this.#table ??= new Float64Array(
      Math.min(100_000, Math.ceil(Math.exp(this.mu + 6 * this.sigma)) + 2),
    ).fill(-1);
    const table = this.#table;
    const low = Math.floor(d);
    if (low + 1 >= table.length) return this.#exact(d);
    let a = table[low] ?? -1;
    if (a < 0) {
      a = this.#exact(low);
      table[low] = a;
    }
    let b = table[low + 1] ?? -1;
    if (b < 0) {
      b = this.#exact(low + 1);
      table[low + 1] = b;
    }
    return a + (b - a) * (d - low);
  }

  #exact(d: number): number {
    return d <= 0 ? 0 : normalCdf((Math.log(d) - this.mu) / this.sigma);
  }

  mean(): number {
    return Math.exp(this.mu + (this.sigma * this.sigma) / 2);
  }
}

/** Measured durations in 1-second bins (linear inside a bin), over the last `capacity` samples. */
export class HistogramModel implements DurationModel {
  readonly #counts: number[] = [];
  readonly #window: number[] = [];
  readonly #capacity: number;
  #next = 0;
  #sum = 0;
  // Cumulative counts, rebuilt lazily after a change.
  #cumulative: number[] | null = null;

  constructor(capacity = 2000) {
    this.#capacity = capacity;
  }

  /** Records one duration (seconds); the oldest falls out once the window is full. */
  add(seconds: number): void {
    const value = Math.max(0, seconds);
    if (this.#window.length === this.#capacity) {
      const old = this.#window[this.#next] ?? 0;
      this.#sum -= old;
      this.#bump(old, -1);
      this.#window[this.#next] = value;
      this.#next = (this.#next + 1) % this.#capacity;
    } else {
      this.#window.push(value);
    }
    this.#sum += value;
    this.#bump(value, 1);
  }

  #bump(seconds: number, by: number): void {
    const bin = Math.floor(seconds);
    while (this.#counts.length <= bin) this.#counts.push(0);
    this.#counts[bin] = (this.#counts[bin] ?? 0) + by;
    this.#cumulative = null;
  }

  /** How many samples the window holds. */
  get size(): number {
    return this.#window.length;
  }

  cdf(d: number): number {
    const n = this.#window.length;
    if (n === 0 || d < 0) return 0;
    if (this.#cumulative === null) {
      let running = 0;
      this.#cumulative = this.#counts.map((count) => {
        running += count;
        return running;
      });
    }
    const cumulative = this.#cumulative;
    const bin = Math.floor(d);
    if (bin >= cumulative.length) return 1;
    const before = bin === 0 ? 0 : (cumulative[bin - 1] ?? 0);
    const within = (cumulative[bin] ?? 0) - before;
    return (before + within * (d - bin)) / n;
  }

  mean(): number {
    return this.#window.length === 0 ? 0 : this.#sum / this.#window.length;
  }
}
