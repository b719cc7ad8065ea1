/**
 * Reception statistics of one source (RFC 3550 Appendix A): the extended sequence number with
 * its wrap cycles and resynchronisation after a large jump (§A.1), expected and lost packets
 * (§A.3), duplicates told apart from reordered packets by a window of recently seen numbers,
 * and the interarrival jitter estimator J += (|D| − J)/16 (§6.4.1, §A.8).
 */

/** How one packet's sequence number relates to what came before. */
export type SequenceVerdict =
  /** First sight of this number (in order, after a gap, or reordered but not yet seen). */
  | 'new'
  | 'duplicate'
  /** Too old to tell (before the window) or before the first packet: dropped. */
  | 'late'
  /** A jump beyond MAX_DROPOUT not yet confirmed by its successor (§A.1): dropped. */
  | 'jump';

const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_MOD = 0x10000;
const WINDOW = 1024;

/** What `ReceiveStatistics.record` says of one packet. */
export interface SequenceRecord {
  verdict: SequenceVerdict;
  /** The extended sequence number (cycles · 65536 + sequence). */
  extended: number;
}

/** Cumulative counts of one direction of a leg. */
export interface ReceiveSummary {
  /** Distinct packets received (duplicates excluded). */
  packets: number;
  expected: number;
  /** expected − packets, never below 0. */
  lost: number;
  duplicates: number;
  late: number;
  /** Interarrival jitter in milliseconds. */
  jitterMs: number;
  /** Extended highest sequence number received. */
  highestSequence: number;
}

/** Sequence, loss and jitter accounting for one SSRC. */
export class ReceiveStatistics {
  private started = false;
  private baseExt = 0;
  private maxSeq = 0;
  private cycles = 0;
  private badSeq = -1;
  private received = 0;
  private duplicates = 0;
  private late = 0;
  /** Jitter in timestamp units, fractional (the report rounds it). */
  private jitter = 0;
  private lastArrival = 0;
  private lastTimestamp = 0;
  private haveTransit = false;
  private readonly seen = new Float64Array(WINDOW).fill(-1);
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** Totals of the sources this one replaced (an SSRC change or a resync). */
  private previous = { packets: 0, expected: 0, duplicates: 0, late: 0 };

  constructor(private readonly clockRate = 8000) {}

  /**
   * Accounts one packet. `arrivalMs` is a monotonic arrival time; `jitterSample` is false for
   * packets whose timestamp does not follow the media clock (RFC 4733 events keep their start).
   */
  record(sequence: number, timestamp: number, arrivalMs: number, jitterSample = true): SequenceRecord {
    if (!this.started) this.restart(sequence);
    const delta = (sequence - this.maxSeq + SEQ_MOD) % SEQ_MOD;
    let extended: number;
    if (delta === 0 && this.received > 0) {
      return this.mark(this.cycles + sequence, arrivalMs, timestamp, false);
    }
    if (delta < MAX_DROPOUT) {
      if (sequence < this.maxSeq) this.cycles += SEQ_MOD;
      this.maxSeq = sequence;
      extended = this.cycles + sequence;
    } else if (delta <= SEQ_MOD - MAX_MISORDER) {
      // A big jump: the source restarted or it is garbage. Believe it when the next packet
      // follows it (§A.1), counting what came before as a previous source.
      if (sequence !== this.badSeq) {
        this.badSeq = (sequence + 1) % SEQ_MOD;
        return { verdict: 'jump', extended: -1 };
      }
      this.restart(sequence);
      extended = this.cycles + sequence;
    } else {
      extended = (sequence > this.maxSeq ? this.cycles - SEQ_MOD : this.cycles) + sequence;
    }
    return this.mark(extended, arrivalMs, timestamp, jitterSample);
  }

  private mark(
    extended: number,
    arrivalMs: number,
    timestamp: number,
    jitterSample: boolean,
  ): SequenceRecord {
    const highest = this.cycles + this.maxSeq;
    if (extended < this.baseExt || highest - extended >= WINDOW) {
      this.late++;
      return { verdict: 'late', extended };
    }
    const slot = extended % WINDOW;
    if (this.seen[slot] === extended) {
      this.duplicates++;
      return { verdict: 'duplicate', extended };
    }
    this.seen[slot] = extended;
    this.received++;
    if (jitterSample) this.sampleJitter(arrivalMs, timestamp);
    return { verdict: 'new', extended };
  }

  /** §A.8: D compares arrival spacing with timestamp spacing, both in timestamp units. */
  private sampleJitter(arrivalMs: number, timestamp: number): void {
    if (this.haveTransit) {
      const arrivalUnits = ((arrivalMs - this.lastArrival) * this.clockRate) / 1000;
      const timestampUnits = (timestamp - this.lastTimestamp) | 0; // signed, wraps at 2^32
      const d = Math.abs(arrivalUnits - timestampUnits);
      this.jitter += (d - this.jitter) / 16;
    }
    this.haveTransit = true;
    this.lastArrival = arrivalMs;
    this.lastTimestamp = timestamp;
  }

  /** Starts counting a new source (or the same one after a resync) at `sequence`. */
  restart(sequence: number): void {
    if (this.started) {
      const summary = this.summary();
      this.previous = {
        packets: summary.packets,
        expected: summary.expected,
        duplicates: summary.duplicates,
        late: summary.late,
      };
    }
    this.started = true;
    this.maxSeq = sequence;
    this.cycles = 0;
    this.baseExt = sequence;
    this.badSeq = -1;
    this.received = 0;
    this.duplicates = 0;
    this.late = 0;
    this.haveTransit = false;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
    this.seen.fill(-1);
  }

  private expectedNow(): number {
    return this.started ? this.cycles + this.maxSeq - this.baseExt + 1 : 0;
  }

  /** Cumulative counts, including sources this one replaced. */
  summary(): ReceiveSummary {
    const expected = this.previous.expected + this.expectedNow();
    const packets = this.previous.packets + this.received;
    return {
      packets,
      expected,
      lost: Math.max(0, expected - packets),
      duplicates: this.previous.duplicates + this.duplicates,
      late: this.previous.late + this.late,
      jitterMs: (this.jitter * 1000) / this.clockRate,
      highestSequence: this.started ? this.cycles + this.maxSeq : 0,
    };
  }

  /**
   * The loss figures of a reception report (§6.4.1, §A.3): fraction lost since the previous
   * call (in 1/256), cumulative lost, highest sequence and jitter in timestamp units.
   */
  report(): { fractionLost: number; cumulativeLost: number; highestSequence: number; jitter: number } {
    const expected = this.expectedNow();
    const expectedInterval = expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.received - this.receivedPrior);
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    return {
      fractionLost:
        expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval),
      cumulativeLost: expected - this.received,
      highestSequence: (this.cycles + this.maxSeq) >>> 0,
      jitter: Math.round(this.jitter),
    };
  }

  /** True once a packet has been accounted. */
  get active(): boolean {
    return this.started;
  }
}
