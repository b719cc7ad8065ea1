/**
 * RTP port pairs from a configured range: an even RTP port and the odd port above it for RTCP
 * (RFC 3550 §11). Released pairs go to the back of the queue, so a pair is reused as late as
 * possible and stray packets of a finished call rarely reach the next one.
 */

/** An inclusive port range. */
export interface PortRange {
  min: number;
  max: number;
}

/** Thrown when every pair of the range is in use. */
export class RtpPortsExhaustedError extends Error {
  constructor(
    readonly range: PortRange,
    readonly inUse: number,
  ) {
    super(`no free RTP port pair in ${range.min}-${range.max}: all ${inUse} pairs are in use`);
    this.name = 'RtpPortsExhaustedError';
  }
}

/**
 * Parses `20000-29999` (a port range setting); undefined unless it holds at least one
 * even/odd pair within 1–65535.
 */
export function parsePortRange(text: string): PortRange | undefined {
  const match = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!match) return undefined;
  const range = { min: Number(match[1]), max: Number(match[2]) };
  const firstEven = range.min + (range.min % 2);
  if (range.min < 1 || range.max > 65535 || firstEven + 1 > range.max) return undefined;
  return range;
}

/** Hands out even RTP ports of a range; the RTCP port is the one above. */
export class RtpPortAllocator {
  private readonly free: number[] = [];
  private head = 0;
  private readonly taken = new Set<number>();

  constructor(readonly range: PortRange) {
    for (let port = range.min + (range.min % 2); port + 1 <= range.max; port += 2) this.free.push(port);
    if (this.free.length === 0)
      throw new RangeError(`RTP port range ${range.min}-${range.max} holds no pair`);
  }

  /** Pairs in the range. */
  get capacity(): number {
    return this.free.length - this.head + this.taken.size;
  }

  /** Pairs handed out and not released. */
  get inUse(): number {
    return this.taken.size;
  }

  /** The RTP port of a free pair; throws RtpPortsExhaustedError when none is left. */
  allocate(): number {
    if (this.head >= this.free.length) throw new RtpPortsExhaustedError(this.range, this.taken.size);
    const port = this.free[this.head++] as number;
    // Compact now and then so the queue does not grow with every allocate/release cycle.
    if (this.head > 1024 && this.head * 2 > this.free.length) {
      this.free.splice(0, this.head);
      this.head = 0;
    }
    this.taken.add(port);
    return port;
  }

  /** Returns a pair; releasing a port not handed out is ignored. */
  release(port: number): void {
    if (!this.taken.delete(port)) return;
    this.free.push(port);
  }
}
